import Channels
import Dispatch
import Foundation
import Ledger
import Logging
import PostgresClient

/// Pushes one channel's due targets. Each channel has its own lane: its own serial Dispatch queue,
/// concurrency limit, token bucket and circuit breaker, so a slow or failing channel delays no other.
///
/// All state lives on `queue`. Database calls run there (never on an HTTP event loop); each push
/// runs as a task and reports back to the queue.
public final class ChannelLane: @unchecked Sendable {
    public let code: String
    let channel: any Channel
    let settings: LaneSettings
    let outbox: OutboxStore
    let reservations: ReservationOutboxStore
    let health: ChannelHealthStore
    let contact: DatabaseContact
    let issues: ListingIssueStore
    let metrics: SyncMetrics
    let logger: Logger
    let queue: DispatchQueue

    private var inFlight: [Int: [PushTarget]] = [:]
    private var nextBatchID = 0
    private var reservationsInFlight = false
    private var breaker: CircuitBreaker
    private var bucket: TokenBucket?
    private var pausedUntil: Double = 0
    private var timer: (any DispatchSourceTimer)?
    private var timerDeadline: Double = .infinity
    private var wakeScheduled = false
    private var stopped = false
    private var databaseRetryDelay = 0.5
    /// Outcomes of pushes that went out while the database could not record them: recorded before the
    /// next claim, so their targets go out again at once instead of waiting out their claim's lease.
    private var unrecorded: [PushRecord] = []
    private var drained: (() -> Void)?

    public init(
        code: String, channel: any Channel, settings: LaneSettings, pool: PostgresPool, replica: Int32 = 0,
        contact: DatabaseContact = DatabaseContact(), metrics: SyncMetrics, logger: Logger
    ) {
        self.contact = contact
        self.code = code
        self.channel = channel
        self.settings = settings
        self.outbox = OutboxStore(pool: pool, replica: replica)
        self.reservations = ReservationOutboxStore(pool: pool, replica: replica)
        self.health = ChannelHealthStore(pool: pool)
        self.issues = ListingIssueStore(pool: pool)
        self.metrics = metrics
        self.logger = logger
        self.queue = DispatchQueue(label: "omnistock.lane.\(code)")
        self.breaker = CircuitBreaker(failureThreshold: settings.circuitFailureThreshold, cooldown: settings.circuitCooldown)
        self.bucket = (settings.rateLimit ?? channel.pushRequestRate).map { TokenBucket(rate: $0, now: MonotonicClock.now()) }
    }

    /// Something may be due: look soon. Bursts of wake-ups become one claim.
    public func wake() {
        queue.async {
            guard !self.wakeScheduled, !self.stopped else { return }
            self.wakeScheduled = true
            self.queue.asyncAfter(deadline: .now() + self.settings.coalescingDelay) {
                self.wakeScheduled = false
                self.pump()
            }
        }
    }

    /// Stops claiming; calls `completion` once in-flight pushes finished or `grace` passed. Targets
    /// still in flight then are handed back (due at once) for another replica or the next start.
    public func stop(grace: Double, completion: @escaping @Sendable () -> Void) {
        queue.async {
            self.stopped = true
            self.timer?.cancel()
            self.timer = nil
            try? self.recordUnrecorded()
            if self.inFlight.isEmpty && !self.reservationsInFlight { return completion() }
            self.drained = completion
            self.queue.asyncAfter(deadline: .now() + grace) {
                guard let drained = self.drained else { return }
                self.drained = nil
                let abandoned = self.inFlight.values.flatMap { $0 }
                try? self.outbox.record(abandoned.map { .failed($0, error: "shutdown while in flight", delay: 0, permanent: false) })
                drained()
            }
        }
    }

    private func pump() {
        while !stopped && inFlight.count < settings.concurrency {
            let now = MonotonicClock.now()
            if pausedUntil > now { return schedule(after: pausedUntil - now) }
            if let reopens = breaker.reopensAt(), reopens > now { return schedule(after: reopens - now) }
            // Half-open with its trial still out: the trial's answer pumps again.
            guard breaker.wouldAllowRequest(now: now) else { return }
            if let wait = bucket?.peekWait(now: now) { return schedule(after: wait) }
            let batch: [PushTarget]
            do {
                try recordUnrecorded()
                batch = try outbox.claimDue(channel: code, limit: batchSize)
                databaseRetryDelay = 0.5
                contact.succeeded()
            } catch {
                return databaseUnavailable(error)
            }
            if batch.isEmpty {
                pushReservationsIfDue()
                return scheduleNextScan()
            }
            _ = breaker.allowsRequest(now: now)
            _ = bucket?.take(now: now)
            send(batch)
        }
    }

    /// Targets per claim: the configured size within the most one request to the channel carries, so that the
    /// backlog goes out in the vendor's largest batches and no claimed target waits behind another request of its own batch.
    private var batchSize: Int { max(1, min(settings.batchSize ?? channel.largestBatch, channel.largestBatch)) }

    private func send(_ batch: [PushTarget]) {
        let id = nextBatchID
        nextBatchID += 1
        inFlight[id] = batch
        let started = MonotonicClock.now()
        let channel = self.channel
        Task {
            let result = await channel.pushLevels(batch.map(\.level))
            self.queue.async { self.finish(batchID: id, batch: batch, result: result, started: started) }
        }
    }

    private func finish(batchID: Int, batch: [PushTarget], result: PushResult, started: Double) {
        guard inFlight.removeValue(forKey: batchID) != nil else { return }
        let now = MonotonicClock.now()
        metrics.recordPushLatency(channel: code, seconds: now - started)
        metrics.recordCompareAndSetRetries(channel: code, count: result.compareAndSetRetries)
        var records: [PushRecord] = []
        var failures = 0
        for (target, outcome) in zip(batch, result.outcomes + Array(repeating: .transient("no outcome"), count: max(0, batch.count - result.items.count))) {
            let (record, failed) = PushClassifier.record(for: target, outcome: outcome, backoff: settings.backoff)
            records.append(record)
            if failed { failures += 1 }
            metrics.recordPush(channel: code, outcome: outcome)
        }
        if let pause = PushClassifier.pause(in: result.outcomes) { pausedUntil = max(pausedUntil, now + pause) }
        let firstError = records.lazy.compactMap { record -> String? in
            if case .failed(_, let error, _, _) = record { error } else { nil }
        }.first
        if failures == batch.count {
            breaker.recordFailure(now: now)
            try? health.recordFailure(
                channel: code, error: firstError ?? "push failed", circuit: breaker.state, consecutiveFailures: breaker.consecutiveFailures)
        } else {
            breaker.recordSuccess()
            try? health.recordSuccess(channel: code)
        }
        unrecorded += records
        do {
            try recordUnrecorded()
        } catch {
            logger.warning(
                "could not record push results; recording them once the database answers", metadata: ["channel": "\(code)", "error": "\(error)"])
            contact.failed()
        }
        recordIssues(in: result)
        completeIfDrained()
        pump()
    }

    private func recordUnrecorded() throws {
        guard !unrecorded.isEmpty else { return }
        try outbox.record(unrecorded)
        unrecorded.removeAll()
    }

    /// Listing problems the channel reported (an unmanaged product, an offer the seller ended) become open conflicts.
    private func recordIssues(in result: PushResult) {
        let found = result.items.compactMap { item in item.issue.map { (sku: item.level.sku, scope: item.level.location, issue: $0) } }
        guard !found.isEmpty else { return }
        for (sku, _, issue) in found {
            logger.warning("listing needs an operator", metadata: ["channel": "\(code)", "sku": "\(sku)", "kind": "\(issue.kind.rawValue)", "detail": "\(issue.detail)"])
        }
        do {
            try issues.record(found, channel: code, source: "push")
        } catch {
            logger.warning("could not record listing issues; the next push reports them again", metadata: ["channel": "\(code)", "error": "\(error)"])
        }
    }

    private func pushReservationsIfDue() {
        guard !reservationsInFlight else { return }
        let tasks: [ReservationTask]
        do {
            tasks = try reservations.claimDue(channel: code, limit: 20)
        } catch {
            return databaseUnavailable(error)
        }
        guard !tasks.isEmpty else { return }
        reservationsInFlight = true
        let channel = self.channel
        Task {
            var outcomes: [(ReservationTask, PushOutcome)] = []
            for task in tasks {
                let outcome = task.action == .hold
                    ? await channel.pushReservation(task.reservation) : await channel.cancelReservation(id: task.reservation.id)
                outcomes.append((task, outcome))
            }
            let finished = outcomes
            self.queue.async { self.finishReservations(finished) }
        }
    }

    private func finishReservations(_ outcomes: [(ReservationTask, PushOutcome)]) {
        reservationsInFlight = false
        for (task, outcome) in outcomes {
            switch outcome {
            case .ok:
                try? reservations.recordDone(task)
            case .retryAfter(let seconds):
                try? reservations.recordFailure(task, error: "throttled", delay: settings.backoff.delay(afterAttempts: task.attempts + 1, retryAfter: Double(seconds)))
            case .conflict, .permanent, .transient:
                try? reservations.recordFailure(task, error: "\(outcome)", delay: settings.backoff.delay(afterAttempts: task.attempts + 1))
            }
        }
        completeIfDrained()
        pump()
    }

    private func completeIfDrained() {
        guard stopped, inFlight.isEmpty, !reservationsInFlight, let drained else { return }
        self.drained = nil
        drained()
    }

    private func databaseUnavailable(_ error: any Error) {
        logger.warning("database unavailable; pushing paused", metadata: ["channel": "\(code)", "error": "\(error)"])
        metrics.recordDatabaseError()
        contact.failed()
        schedule(after: databaseRetryDelay)
        databaseRetryDelay = min(databaseRetryDelay * 2, 10)
    }

    private func scheduleNextScan() {
        let next = (try? outbox.secondsUntilNextDue(channel: code)) ?? nil
        schedule(after: min(next ?? settings.safetyScanInterval, settings.safetyScanInterval))
    }

    /// Arms the lane's one timer for `seconds` from now, unless it already fires sooner.
    private func schedule(after seconds: Double) {
        guard !stopped else { return }
        let deadline = MonotonicClock.now() + max(seconds, 0.001)
        if timer != nil && timerDeadline <= deadline { return }
        timer?.cancel()
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now() + max(seconds, 0.001))
        source.setEventHandler { [weak self] in
            guard let self else { return }
            self.timer?.cancel()
            self.timer = nil
            self.timerDeadline = .infinity
            self.pump()
        }
        timer = source
        timerDeadline = deadline
        source.resume()
    }
}
