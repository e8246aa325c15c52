import Foundation
import Support

/// Group commit: requests submitted concurrently from many threads are executed together, as one batch (one
/// transaction, one round trip), each caller still blocking for and getting its own result.
///
/// There is no thread of its own. A caller that finds fewer than `maxInFlight` batches running leads: it takes up
/// to `maxBatch` queued requests from the front (its own among them) and executes them; the others wait. A leader
/// that finds another batch running first gathers, for at most `window` after the oldest queued request, until
/// `maxBatch` requests are queued, the running batches end, or no request has arrived for `quietGap`; a leader that
/// finds the database idle executes at once, so a lone caller never waits out the window. When a batch ends, its
/// leader hands the lead to the oldest request still queued.
///
/// A batch that fails as a whole (`execute` throws: a lost connection, a serialization failure, a conflict with a
/// concurrent transaction) has applied nothing, so each of its requests is executed again alone by its own caller
/// and gets its own result or error; a request that was alone gets the error. `execute` must therefore be safe to
/// repeat for a request whose outcome is unknown (an idempotency key makes it so).
///
/// Every wait is bounded by `timeout`: a request no batch took in that time leaves the queue and fails, and one
/// whose batch has not answered in that time fails too (its outcome is then unknown, as after a lost connection);
/// both fail with a connection-kind `PostgresError` (the database is unavailable to it).
package final class GroupCommit<Request: Sendable, Response: Sendable>: @unchecked Sendable {
    private enum Outcome {
        case done(Result<Response, any Error>)
        /// The batch failed as a whole and applied nothing: execute the request alone.
        case alone
    }

    private final class Waiter {
        let request: Request
        let queuedAt = MonotonicClock.now()
        /// When a batch took it.
        var takenAt: Double?
        var leads = false
        var outcome: Outcome?
        init(_ request: Request) { self.request = request }
    }

    /// The settings it was made with.
    package let settings: GroupCommitSettings
    private let timeout: Double
    private let execute: ([Request]) throws -> [Response]
    private let state = NSCondition()
    /// Requests no batch has taken yet, oldest first.
    private var queue: [Waiter] = []
    /// Callers holding a lead (gathering or running a batch); at most `maxInFlight`.
    private var leaders = 0
    /// Batches executing now.
    private var running = 0
    /// When the newest request was submitted.
    private var lastArrival = 0.0

    /// - Parameters:
    ///   - timeout: the longest a request waits for a batch to take it, and then for that batch to answer.
    ///   - execute: runs a batch (in order; one request when alone) and returns one response per request, in order;
    ///     throws when the batch as a whole failed and applied nothing.
    package init(settings: GroupCommitSettings, timeout: Double, execute: @escaping ([Request]) throws -> [Response]) {
        self.settings = settings
        self.timeout = timeout
        self.execute = execute
    }

    /// Executes `request` in a batch with whatever else is submitted meanwhile and returns its own response.
    package func submit(_ request: Request) throws -> Response {
        if settings.isOff { return try alone(request) }
        let waiter = Waiter(request)
        state.lock()
        queue.append(waiter)
        lastArrival = waiter.queuedAt
        if leaders < settings.maxInFlight {
            leaders += 1
            waiter.leads = true
        } else if queue.count >= settings.maxBatch {
            state.broadcast()  // a gathering leader has a full batch
        }
        switch try awaitOutcome(waiter) {
        case .done(let result): return try result.get()
        case .alone: return try alone(request)
        }
    }

    /// Waits (the lock held on entry, released on return) until `waiter` has its outcome. While it leads, it runs
    /// batches from the front of the queue until its own request is in one.
    private func awaitOutcome(_ waiter: Waiter) throws -> Outcome {
        while true {
            if let outcome = waiter.outcome {
                if waiter.leads { handOver(from: waiter) }
                state.unlock()
                return outcome
            }
            if waiter.leads {
                if waiter.takenAt != nil {
                    handOver(from: waiter)  // in another leader's batch: wait for it like any other request
                    continue
                }
                let batch = gather()
                guard !batch.isEmpty else { continue }
                state.unlock()
                run(batch)
                state.lock()
                continue
            }
            let deadline = (waiter.takenAt ?? waiter.queuedAt) + timeout
            let remaining = deadline - MonotonicClock.now()
            guard remaining > 0 else {
                let taken = waiter.takenAt != nil
                if !taken { queue.removeAll { $0 === waiter } }
                state.unlock()
                throw PostgresError(
                    kind: .connection,
                    message: taken
                        ? "the batch holding this write did not answer within \(timeout) s; its outcome is unknown"
                        : "no batch took this write within \(timeout) s; it was not written")
            }
            _ = state.wait(until: Date(timeIntervalSinceNow: remaining))
        }
    }

    /// Takes the next batch off the queue (the lock held), first gathering while another batch runs.
    private func gather() -> [Waiter] {
        if let oldest = queue.first {
            let windowEnds = oldest.queuedAt + settings.window
            while running > 0, queue.count < settings.maxBatch {
                let now = MonotonicClock.now()
                let ends = min(windowEnds, lastArrival + settings.quietGap)
                guard now < ends else { break }
                // Woken early by a batch ending or a full queue; arrivals move `lastArrival` without waking it.
                _ = state.wait(until: Date(timeIntervalSinceNow: ends - now))
            }
        }
        let batch = Array(queue.prefix(settings.maxBatch))
        guard !batch.isEmpty else { return [] }
        queue.removeFirst(batch.count)
        let now = MonotonicClock.now()
        for waiter in batch { waiter.takenAt = now }
        running += 1
        return batch
    }

    /// Executes `batch` (the lock not held) and hands each request its outcome.
    private func run(_ batch: [Waiter]) {
        let outcomes: [Outcome]
        do {
            let responses = try execute(batch.map(\.request))
            guard responses.count == batch.count else {
                throw GroupCommitMismatch(requests: batch.count, responses: responses.count)
            }
            outcomes = responses.map { .done(.success($0)) }
        } catch {
            outcomes = batch.count == 1 ? [.done(.failure(error))] : Array(repeating: .alone, count: batch.count)
        }
        state.lock()
        for (waiter, outcome) in zip(batch, outcomes) { waiter.outcome = outcome }
        running -= 1
        state.broadcast()
        state.unlock()
    }

    /// Gives up `waiter`'s lead (the lock held), to the oldest queued request that does not lead, if any.
    private func handOver(from waiter: Waiter) {
        waiter.leads = false
        leaders -= 1
        if let next = queue.first(where: { !$0.leads }) {
            leaders += 1
            next.leads = true
            state.broadcast()
        }
    }

    private func alone(_ request: Request) throws -> Response {
        let responses = try execute([request])
        guard let response = responses.first, responses.count == 1 else {
            throw GroupCommitMismatch(requests: 1, responses: responses.count)
        }
        return response
    }
}

/// A batch executor returned a different number of responses than it was given requests (a programming error).
struct GroupCommitMismatch: Error, CustomStringConvertible {
    var requests: Int
    var responses: Int
    var description: String { "a batch of \(requests) requests returned \(responses) responses" }
}
