import ChannelVocabulary
import Dispatch
import Foundation
import Ledger
import Logging
import PostgresClient
import Support

/// Pushes one channel's due targets: the I/O around a ``LaneStateMachine``. Each channel has its own lane — its
/// own serial Dispatch queue, concurrency limit, token bucket and circuit breaker — so a slow or failing channel
/// delays no other.
///
/// The machine decides; this driver performs its actions (database calls on `queue`, never on an HTTP event
/// loop; pushes as tasks that report back to the queue), keeps the one timer, and feeds the results back.
package final class ChannelLane: @unchecked Sendable {
    package let code: String
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

    // State below is touched only on `queue`.
    private var machine: LaneStateMachine
    private var timer: (any DispatchSourceTimer)?
    private var timerDeadline: Double = .infinity
    private var wakeScheduled = false
    private var stopped = false
    private var drained: (() -> Void)?

    package init(
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
        self.machine = LaneStateMachine(
            settings: settings, largestBatch: channel.largestBatch, channelRate: channel.pushRequestRate, now: MonotonicClock.now())
    }

    /// Something may be due: look soon. Bursts of wake-ups become one claim.
    package func wake() {
        queue.async {
            guard !self.wakeScheduled, !self.stopped else { return }
            self.wakeScheduled = true
            self.queue.asyncAfter(deadline: .now() + self.settings.coalescingDelay) {
                self.wakeScheduled = false
                guard !self.stopped else { return }
                self.perform(self.machine.pump(now: MonotonicClock.now()))
            }
        }
    }

    /// Stops claiming; calls `completion` once in-flight pushes finished or `grace` passed. Targets
    /// still in flight then are handed back (due at once) for another replica or the next start.
    package func stop(grace: Double, completion: @escaping @Sendable () -> Void) {
        queue.async {
            self.stopped = true
            self.timer?.cancel()
            self.timer = nil
            self.drained = completion
            self.perform(self.machine.stop(now: MonotonicClock.now()))
            guard self.drained != nil else { return }
            self.queue.asyncAfter(deadline: .now() + grace) {
                guard let drained = self.drained else { return }
                self.drained = nil
                let abandoned = self.machine.abandon()
                try? self.outbox.record(abandoned.map { .failed($0, error: "shutdown while in flight", delay: 0, permanent: false) })
                drained()
            }
        }
    }

    /// Performs `action` and every action the machine answers with, until it waits or sleeps.
    private func perform(_ first: LaneStateMachine.Action) {
        var action = first
        while true {
            let now = { MonotonicClock.now() }
            switch action {
            case .record(let records):
                do {
                    try outbox.record(records)
                    action = machine.recorded(now: now())
                } catch {
                    action = databaseUnavailable(error)
                }
            case .claim(let limit):
                do {
                    let targets = try outbox.claimDue(channel: code, limit: limit)
                    contact.succeeded()
                    action = machine.claimed(targets, now: now())
                } catch {
                    reportDatabaseUnavailable(error)
                    action = machine.claimFailed(now: now())
                }
            case .releaseClaims(let keeping):
                do {
                    let released = try outbox.releaseClaims(channel: code, keeping: keeping)
                    if released > 0 { logger.info("claims in doubt handed back", metadata: ["channel": "\(code)", "targets": "\(released)"]) }
                    action = machine.claimsReleased(now: now())
                } catch {
                    action = databaseUnavailable(error)
                }
            case .push(let batch, let targets):
                send(batch: batch, targets: targets)
                action = machine.sent(now: now())
            case .claimReservations(let limit):
                do {
                    action = machine.reservationsClaimed(try reservations.claimDue(channel: code, limit: limit), now: now())
                } catch {
                    action = databaseUnavailable(error)
                }
            case .pushReservations(let tasks):
                send(tasks)
                action = machine.sent(now: now())
            case .findNextDue:
                action = machine.nextDue(in: (try? outbox.secondsUntilNextDue(channel: code)) ?? nil, now: now())
            case .sleep(let deadline):
                return schedule(at: deadline)
            case .wait:
                return
            case .drained:
                let drained = self.drained
                self.drained = nil
                drained?()
                return
            }
        }
    }

    private func databaseUnavailable(_ error: any Error) -> LaneStateMachine.Action {
        reportDatabaseUnavailable(error)
        return machine.databaseFailed(now: MonotonicClock.now())
    }

    private func reportDatabaseUnavailable(_ error: any Error) {
        logger.warning("database unavailable; pushing paused", metadata: ["channel": "\(code)", "error": "\(error)"])
        metrics.recordDatabaseError()
        contact.failed()
    }

    private func send(batch: Int, targets: [PushTarget]) {
        let channel = self.channel
        Task {
            let result = await channel.pushLevels(targets.map(\.level))
            self.queue.async { self.answered(batch: batch, result: result) }
        }
    }

    private func answered(batch: Int, result: PushResult) {
        let (verdict, next) = machine.pushed(batch: batch, result: result, now: MonotonicClock.now())
        if let verdict {
            metrics.recordPushLatency(channel: code, seconds: verdict.latency)
            metrics.recordCompareAndSetRetries(channel: code, count: result.compareAndSetRetries)
            let missing = Array(repeating: PushOutcome.transient("no outcome"), count: max(0, verdict.records.count - result.items.count))
            for (_, outcome) in zip(verdict.records, result.outcomes + missing) {
                metrics.recordPush(channel: code, outcome: outcome)
            }
            switch verdict.health {
            case .succeeded:
                try? health.recordSuccess(channel: code)
            case .failed(let error, let circuit, let failures):
                try? health.recordFailure(channel: code, error: error, circuit: circuit, consecutiveFailures: failures)
            }
            recordIssues(in: result)
        }
        perform(next)
    }

    /// Listing problems the channel reported (an unmanaged product, an offer the seller ended) become open conflicts.
    private func recordIssues(in result: PushResult) {
        let found = result.items.compactMap { item in item.issue.map { (sku: item.level.sku, scope: item.level.location, issue: $0) } }
        guard !found.isEmpty else { return }
        for (sku, _, issue) in found {
            logger.warning(
                "listing needs an operator",
                metadata: ["channel": "\(code)", "sku": "\(sku)", "kind": "\(issue.kind.rawValue)", "detail": "\(issue.detail)"])
        }
        do {
            try issues.record(found, channel: code, source: "push")
        } catch {
            logger.warning(
                "could not record listing issues; the next push reports them again", metadata: ["channel": "\(code)", "error": "\(error)"])
        }
    }

    private func send(_ tasks: [ReservationTask]) {
        let channel = self.channel
        Task {
            var outcomes: [(ReservationTask, PushOutcome)] = []
            for task in tasks {
                let outcome =
                    task.action == .hold
                    ? await channel.pushReservation(task.reservation) : await channel.cancelReservation(id: task.reservation.id)
                outcomes.append((task, outcome))
            }
            let finished = outcomes
            self.queue.async { self.reservationsAnswered(finished) }
        }
    }

    private func reservationsAnswered(_ outcomes: [(ReservationTask, PushOutcome)]) {
        let (verdicts, next) = machine.reservationsPushed(outcomes, now: MonotonicClock.now())
        for (task, verdict) in verdicts {
            switch verdict {
            case .done: try? reservations.recordDone(task)
            case .failed(let error, let delay): try? reservations.recordFailure(task, error: error, delay: delay)
            }
        }
        perform(next)
    }

    /// Arms the lane's one timer for `deadline`, unless it already fires sooner.
    private func schedule(at deadline: Double) {
        guard !stopped else { return }
        let seconds = max(deadline - MonotonicClock.now(), 0.001)
        if timer != nil && timerDeadline <= deadline { return }
        timer?.cancel()
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now() + seconds)
        source.setEventHandler { [weak self] in
            guard let self else { return }
            self.timer?.cancel()
            self.timer = nil
            self.timerDeadline = .infinity
            self.perform(self.machine.pump(now: MonotonicClock.now()))
        }
        timer = source
        timerDeadline = deadline
        source.resume()
    }
}
