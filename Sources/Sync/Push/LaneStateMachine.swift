import ChannelVocabulary
import Ledger
import Support

/// The decisions of one channel's lane as a plain value, in the manner of postgres-nio's pool state machine:
/// each event (a wake-up or timer, claimed work, a push's answer, a database failure) is a `mutating` call that
/// returns the one ``Action`` the driver performs next. The machine does no I/O and reads no clock: `now` is
/// passed in (seconds on ``MonotonicClock``), so tests drive it with any clock and never sleep.
///
/// It decides: how many targets a claim takes (the configured batch within the channel's largest), how many
/// batches are in flight, the circuit breaker, the token bucket, a channel's `Retry-After` pausing the lane,
/// backoff of failed targets and of an unreachable database, and that push results the database could not
/// record yet are held and recorded before the next claim. Which due targets come first (decreases) is the
/// claim query's decision (`OutboxStore.claimDue`), not the lane's.
package struct LaneStateMachine: Sendable {
    /// What the driver does next. After each one it reports back with the event named here.
    package enum Action: Sendable, Equatable {
        /// Write these push results to the outbox; then ``recorded(now:)`` or ``databaseFailed(now:)``.
        case record([PushRecord])
        /// Claim up to `limit` due targets; then ``claimed(_:now:)``, or ``claimFailed(now:)`` when the database did not answer.
        case claim(limit: Int)
        /// Hand back every claim this lane holds except `keeping` (its batches in flight): a claim whose commit was in
        /// doubt may have taken targets the lane never learned of, which would otherwise wait out their lease. Then
        /// ``claimsReleased(now:)`` or ``databaseFailed(now:)``.
        case releaseClaims(keeping: [PushTarget])
        /// Send `targets` to the channel without waiting, then ``sent(now:)``; its answer goes to ``pushed(batch:result:now:)``.
        case push(batch: Int, targets: [PushTarget])
        /// Claim up to `limit` due reservation tasks; then ``reservationsClaimed(_:now:)`` or ``databaseFailed(now:)``.
        case claimReservations(limit: Int)
        /// Send these reservation tasks without waiting, then ``sent(now:)``; their answers go to ``reservationsPushed(_:now:)``.
        case pushReservations([ReservationTask])
        /// Ask the outbox when its next target falls due; then ``nextDue(in:now:)``.
        case findNextDue
        /// Nothing to do before `deadline` (same clock as `now`): call ``pump(now:)`` then, or sooner if woken.
        case sleep(until: Double)
        /// Nothing to do until a push answers or something wakes the lane.
        case wait
        /// Stopped with nothing in flight: shutdown may go on. Said once.
        case drained
    }

    /// How a push answer changes the channel's health row.
    package enum Health: Sendable, Equatable {
        case succeeded
        /// Every target of the batch failed: the breaker counted a failure.
        case failed(error: String, circuit: CircuitBreaker.State, consecutiveFailures: Int)
    }

    /// What one push answer decided, beside the next action.
    package struct PushVerdict: Sendable, Equatable {
        /// What the outbox records for each target (the machine holds them until ``recorded(now:)``).
        package var records: [PushRecord]
        package var health: Health
        /// Seconds from the claim to the answer.
        package var latency: Double
    }

    /// What to write back for one reservation task.
    package enum ReservationVerdict: Sendable, Equatable {
        case done
        case failed(error: String, delay: Double)
    }

    /// Targets per claim: the configured size within the most one request to the channel carries, so the backlog
    /// goes out in the vendor's largest batches and no claimed target waits behind another request of its batch.
    package let batchSize: Int
    /// Reservation tasks per claim.
    package let reservationBatchSize = 20
    package private(set) var breaker: CircuitBreaker
    package private(set) var bucket: TokenBucket?
    private let settings: LaneSettings
    /// Waits after the database failed: 0.5 s doubling up to 10 s.
    private let databaseBackoff = Backoff(base: 0.5, cap: 10, jitter: .none)
    private let random: @Sendable () -> Double

    private var inFlight: [Int: (targets: [PushTarget], claimedAt: Double)] = [:]
    private var nextBatchID = 0
    private var reservationsInFlight = false
    /// A channel's `Retry-After` pauses the whole lane until then.
    private var pausedUntil: Double = 0
    private var databaseFailures = 0
    /// Results of pushes that went out but are not recorded yet: recorded before the next claim, so their targets
    /// go out again at once instead of waiting out their claim's lease.
    private var held: [PushRecord] = []
    /// A claim got no answer: it may have committed, leasing targets the lane does not know it holds.
    private var claimInDoubt = false
    /// Stopped and the database refused the held results: no retry until another answer arrives.
    private var heldUntilNextAnswer = false
    private var stopped = false
    private var drainSaid = false
    /// What ``sent(now:)`` continues with: more claims after a push, the next scan after reservations.
    private var afterSend: Action = .wait

    /// - Parameters:
    ///   - largestBatch: the most levels one request to the channel carries (``Channel/largestBatch``).
    ///   - channelRate: the channel's own request rate, used when the settings set none.
    ///   - now: the time the token bucket starts full.
    ///   - random: draws the jitter of retry delays from 0…1.
    package init(
        settings: LaneSettings, largestBatch: Int, channelRate: Double?, now: Double,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.settings = settings
        self.batchSize = max(1, min(settings.batchSize ?? largestBatch, largestBatch))
        self.breaker = CircuitBreaker(failureThreshold: settings.circuitFailureThreshold, cooldown: settings.circuitCooldown)
        self.bucket = (settings.rateLimit ?? channelRate).map { TokenBucket(rate: $0, now: now) }
        self.random = random
    }

    /// Batches sent and not answered yet.
    package var batchesInFlight: Int { inFlight.count }

    /// Woken, or a timer fired: what to do now. Held results first, then (within the concurrency, the pause,
    /// the breaker and the rate limit) a claim.
    package mutating func pump(now: Double) -> Action {
        if !held.isEmpty && !heldUntilNextAnswer { return .record(held) }
        if claimInDoubt && !heldUntilNextAnswer { return .releaseClaims(keeping: inFlight.values.flatMap(\.targets)) }
        if stopped { return drainedIfIdle() }
        guard inFlight.count < settings.concurrency else { return .wait }
        if pausedUntil > now { return .sleep(until: pausedUntil) }
        if let reopens = breaker.reopensAt(), reopens > now { return .sleep(until: reopens) }
        // Half-open with its trial still out: the trial's answer pumps again.
        guard breaker.wouldAllowRequest(now: now) else { return .wait }
        if let wait = bucket?.wait(now: now) { return .sleep(until: now + wait) }
        return .claim(limit: batchSize)
    }

    /// The held results are in the outbox.
    package mutating func recorded(now: Double) -> Action {
        held.removeAll()
        return pump(now: now)
    }

    /// A claim, a record or a reservation claim could not reach the database: retry after a growing wait.
    package mutating func databaseFailed(now: Double) -> Action {
        databaseFailures += 1
        if stopped {
            heldUntilNextAnswer = true
            return drainedIfIdle()
        }
        return .sleep(until: now + databaseBackoff.delay(afterAttempts: databaseFailures))
    }

    /// A claim could not reach the database, or lost it before the answer: its lease may be in place, so the claims
    /// are handed back before the next one. Retry after a growing wait.
    package mutating func claimFailed(now: Double) -> Action {
        claimInDoubt = true
        return databaseFailed(now: now)
    }

    /// The lane's claims outside its batches in flight are due again.
    package mutating func claimsReleased(now: Double) -> Action {
        claimInDoubt = false
        databaseFailures = 0
        return pump(now: now)
    }

    /// The claim's targets (none: nothing due): the breaker's trial and a token are spent on a batch.
    package mutating func claimed(_ targets: [PushTarget], now: Double) -> Action {
        databaseFailures = 0
        if targets.isEmpty { return reservationsInFlight ? .findNextDue : .claimReservations(limit: reservationBatchSize) }
        _ = breaker.allowsRequest(now: now)
        _ = bucket?.take(now: now)
        let id = nextBatchID
        nextBatchID += 1
        inFlight[id] = (targets, now)
        afterSend = .claim(limit: batchSize)
        return .push(batch: id, targets: targets)
    }

    /// The due reservation tasks (none: nothing due).
    package mutating func reservationsClaimed(_ tasks: [ReservationTask], now: Double) -> Action {
        guard !tasks.isEmpty else { return .findNextDue }
        reservationsInFlight = true
        afterSend = .findNextDue
        return .pushReservations(tasks)
    }

    /// The driver started what the last `push` or `pushReservations` asked for.
    package mutating func sent(now: Double) -> Action {
        afterSend == .findNextDue ? .findNextDue : pump(now: now)
    }

    /// Seconds until the outbox's next target falls due (nil: none, or unknown): sleep until then, at most the
    /// safety scan interval.
    package mutating func nextDue(in seconds: Double?, now: Double) -> Action {
        .sleep(until: now + min(seconds ?? settings.safetyScanInterval, settings.safetyScanInterval))
    }

    /// A batch's answer: its records (held until recorded), the breaker and the lane's pause. Nil verdict for a
    /// batch abandoned at shutdown.
    package mutating func pushed(batch id: Int, result: PushResult, now: Double) -> (verdict: PushVerdict?, next: Action) {
        guard let entry = inFlight.removeValue(forKey: id) else { return (nil, .wait) }
        let (targets, claimedAt) = (entry.targets, entry.claimedAt)
        let missing = Array(repeating: PushOutcome.transient("no outcome"), count: max(0, targets.count - result.items.count))
        var records: [PushRecord] = []
        var failures = 0
        let answers: [(PushOutcome, Int?)] = result.items.map { ($0.outcome, $0.unseenSales) } + missing.map { ($0, nil) }
        for (target, (outcome, unseenSales)) in zip(targets, answers) {
            var target = target
            target.unseenSales = unseenSales
            let (record, failed) = PushClassifier.record(for: target, outcome: outcome, backoff: settings.backoff, random: random)
            records.append(record)
            if failed { failures += 1 }
        }
        if let pause = PushClassifier.pause(in: result.outcomes) { pausedUntil = max(pausedUntil, now + pause) }
        let health: Health
        if failures == targets.count {
            breaker.recordFailure(now: now)
            let firstError = records.lazy.compactMap { record -> String? in
                if case .failed(_, let error, _, _) = record { error } else { nil }
            }.first
            health = .failed(error: firstError ?? "push failed", circuit: breaker.state, consecutiveFailures: breaker.consecutiveFailures)
        } else {
            breaker.recordSuccess()
            health = .succeeded
        }
        held += records
        heldUntilNextAnswer = false
        return (PushVerdict(records: records, health: health, latency: now - claimedAt), pump(now: now))
    }

    /// The answers to the reservation tasks, in order: what to record for each.
    package mutating func reservationsPushed(
        _ outcomes: [(ReservationTask, PushOutcome)], now: Double
    ) -> (verdicts: [(ReservationTask, ReservationVerdict)], next: Action) {
        reservationsInFlight = false
        let backoff = settings.backoff
        let verdicts = outcomes.map { task, outcome -> (ReservationTask, ReservationVerdict) in
            switch outcome {
            case .ok:
                (task, .done)
            case .retryAfter(let seconds):
                (
                    task,
                    .failed(error: "throttled", delay: backoff.delay(afterAttempts: task.attempts + 1, retryAfter: Double(seconds), random: random))
                )
            case .conflict, .permanent, .transient:
                (task, .failed(error: "\(outcome)", delay: backoff.delay(afterAttempts: task.attempts + 1, random: random)))
            }
        }
        heldUntilNextAnswer = false
        return (verdicts, pump(now: now))
    }

    /// Stops claiming: held results are recorded once more, then the lane drains as its pushes answer.
    package mutating func stop(now: Double) -> Action {
        stopped = true
        return pump(now: now)
    }

    /// The grace period ended: the targets still in flight, handed back by the driver (due at once). Answers that
    /// arrive later are ignored.
    package mutating func abandon() -> [PushTarget] {
        let targets = inFlight.values.flatMap(\.targets)
        inFlight.removeAll()
        drainSaid = true
        return targets
    }

    private mutating func drainedIfIdle() -> Action {
        guard inFlight.isEmpty, !reservationsInFlight, !drainSaid else { return .wait }
        drainSaid = true
        return .drained
    }
}
