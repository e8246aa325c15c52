import Dispatch
import Support
import Synchronization

/// Group commit for async callers (HTTP handlers): a request waits as a continuation, not as a blocked thread.
///
/// A submitted request joins a queue. When fewer than `maxInFlight` drains run, it starts one on a Dispatch queue of
/// its own; a drain takes up to `maxBatch` queued requests, executes them as one batch, answers each, and goes on
/// until the queue is empty. There is no window to wait out: whatever arrives while a batch is written forms the next
/// one, and a lone request goes at once. With group commit off, each request is executed alone as it comes.
///
/// A batch that fails as a whole (`execute` throws) has applied nothing, so each of its requests is executed again
/// alone and gets its own result or error, as in `GroupCommit`.
///
/// Every wait is bounded by `timeout` (and at most a tenth more): a request not answered in that time fails with a
/// connection-kind `PostgresError` (the database is unavailable to it). Its request is still executed when a batch
/// takes it, so its outcome is unknown, as after a lost connection; `execute` must be safe to repeat for it (an
/// idempotency key or a unique event id makes it so).
///
/// The deadlines are kept in submission order, which is deadline order (one timeout for all), and one repeating
/// Dispatch timer sweeps the expired and the answered ones from the front. A timer per request cost about 7 % of
/// webhook ingress (Dispatch's manager thread kept a heap of one timer per request of the last `timeout`).
package final class AsyncGroupCommit<Request: Sendable, Response: Sendable>: Sendable {
    private struct Waiting: Sendable {
        let request: Request
        let answer: ResumeOnce<Response>
    }

    /// When an answer is due at the latest.
    private struct Deadline: Sendable {
        let at: Double
        let answer: ResumeOnce<Response>
    }

    private struct State: Sendable {
        var queue: [Waiting] = []
        var draining = 0
        /// Every request not yet swept, in submission order.
        var deadlines: [Deadline] = []
    }

    private let settings: GroupCommitSettings
    private let timeout: Duration
    private let queue: DispatchQueue
    private let execute: @Sendable ([Request]) throws -> [Response]
    private let state = Mutex(State())
    /// Set once in `init`, cancelled in `deinit`; Dispatch sources are thread-safe, the type only lacks the annotation.
    nonisolated(unsafe) private let sweeper: any DispatchSourceTimer

    /// - Parameters:
    ///   - label: names the Dispatch queue the batches run on.
    ///   - timeout: the longest a request waits for its answer (swept every tenth of it, at most every second).
    ///   - execute: runs a batch (in order; one request when alone) and returns one response per request, in order;
    ///     throws when the batch as a whole failed and applied nothing.
    package init(
        settings: GroupCommitSettings, label: String, timeout: Duration, execute: @escaping @Sendable ([Request]) throws -> [Response]
    ) {
        self.settings = settings
        self.timeout = timeout
        self.queue = DispatchQueue(label: label, qos: .userInitiated, attributes: .concurrent)
        self.execute = execute
        self.sweeper = DispatchSource.makeTimerSource(queue: queue)
        let tick = max(0.001, min(timeout / 10, .seconds(1)) / .seconds(1))
        sweeper.schedule(deadline: .now() + tick, repeating: tick, leeway: .milliseconds(Int(tick * 100)))
        sweeper.setEventHandler { [weak self] in self?.sweep() }
        sweeper.resume()
    }

    deinit {
        sweeper.cancel()
    }

    /// Requests submitted and not yet swept (answered, or failed at their deadline): bounded by what arrives in
    /// `timeout` and a tick.
    package var unsweptCount: Int { state.withLock { $0.deadlines.count } }

    /// Executes `request` in a batch with whatever else is queued and returns its own response; throws a
    /// connection-kind `PostgresError` when no answer came within the timeout.
    package func submit(_ request: Request) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            let waiting = Waiting(request: request, answer: ResumeOnce(continuation))
            let deadline = Deadline(at: MonotonicClock.now() + timeout / .seconds(1), answer: waiting.answer)
            if settings.isOff {
                state.withLock { $0.deadlines.append(deadline) }
                queue.async { self.run([waiting]) }
                return
            }
            let startsDrain = state.withLock { state in
                state.deadlines.append(deadline)
                state.queue.append(waiting)
                guard state.draining < settings.maxInFlight else { return false }
                state.draining += 1
                return true
            }
            if startsDrain { queue.async { self.drain() } }
        }
    }

    /// Fails the requests whose deadline has passed and forgets them and the answered ones, from the front.
    private func sweep() {
        let now = MonotonicClock.now()
        let swept = state.withLock { state in
            let swept = Array(state.deadlines.prefix { $0.at <= now || $0.answer.isResumed })
            state.deadlines.removeFirst(swept.count)
            return swept
        }
        let expired = PostgresError(kind: .connection, message: "no answer from the database within \(timeout)")
        for deadline in swept { deadline.answer.resume(with: .failure(expired)) }
    }

    /// Executes batches from the front of the queue until it is empty.
    private func drain() {
        while true {
            let batch = state.withLock { state in
                let batch = Array(state.queue.prefix(settings.maxBatch))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.draining -= 1 }
                return batch
            }
            guard !batch.isEmpty else { return }
            run(batch)
        }
    }

    /// Executes `batch` and answers each of its requests; after a failure of the whole batch, each one alone.
    private func run(_ batch: [Waiting]) {
        do {
            let responses = try execute(batch.map(\.request))
            guard responses.count == batch.count else {
                throw GroupCommitMismatch(requests: batch.count, responses: responses.count)
            }
            for (waiting, response) in zip(batch, responses) { waiting.answer.resume(with: .success(response)) }
        } catch {
            guard batch.count > 1 else { return batch[0].answer.resume(with: .failure(error)) }
            for waiting in batch { run([waiting]) }
        }
    }
}
