import ChannelVocabulary
import Ledger
import Support
import Testing

@testable import Sync

/// The lane's decisions driven as a plain value: a manual clock (`now` is just a number), no sleeping, no database.
@Suite struct LaneStateMachineTests {
    static func target(_ sku: String, attempts: Int = 0) -> PushTarget {
        PushTarget(channel: "pos", sku: sku, scope: "store", version: 1, value: 5, pushedValue: 4, attempts: attempts, externalID: nil)
    }

    static func result(_ targets: [PushTarget], _ outcome: PushOutcome) -> PushResult {
        PushResult(items: targets.map { PushResult.Item(level: $0.level, outcome: outcome) })
    }

    static func machine(_ settings: LaneSettings, largestBatch: Int = 50, channelRate: Double? = nil) -> LaneStateMachine {
        LaneStateMachine(settings: settings, largestBatch: largestBatch, channelRate: channelRate, now: 0, random: { 1 })
    }

    /// Claims `targets` at `now` and returns the batch id the machine pushes them as.
    static func claimAndPush(_ machine: inout LaneStateMachine, _ targets: [PushTarget], now: Double) -> Int {
        #expect(machine.pump(now: now) == .claim(limit: machine.batchSize))
        guard case .push(let batch, let pushed) = machine.claimed(targets, now: now) else {
            Issue.record("no push after a claim")
            return -1
        }
        #expect(pushed == targets)
        return batch
    }

    @Test func failedTargetsBackOffExponentiallyUpToTheCap() {
        var machine = Self.machine(LaneSettings(concurrency: 1, backoff: Backoff(base: 1, cap: 4), circuitFailureThreshold: 100))
        var delays: [Double] = []
        for attempts in [0, 1, 2, 3, 6] {
            let target = Self.target("MUG", attempts: attempts)
            let batch = Self.claimAndPush(&machine, [target], now: 0)
            let (verdict, next) = machine.pushed(batch: batch, result: Self.result([target], .transient("503")), now: 0)
            guard case .failed(_, _, let delay, false) = verdict?.records.first else {
                Issue.record("not a retryable failure")
                return
            }
            delays.append(delay)
            #expect(next == .record(verdict!.records))
            _ = machine.recorded(now: 0)
        }
        #expect(delays == [1, 2, 4, 4, 4], "1 s doubling, capped at 4 s")
    }

    @Test func aClaimWithoutAnAnswerIsHandedBackBeforeTheNextClaimKeepingTheBatchesInFlight() {
        var machine = Self.machine(LaneSettings(concurrency: 2))
        let flying = [Self.target("MUG")]
        _ = Self.claimAndPush(&machine, flying, now: 0)
        #expect(machine.pump(now: 1) == .claim(limit: 50))
        guard case .sleep(let until) = machine.claimFailed(now: 1) else {
            Issue.record("no wait after a failed claim")
            return
        }
        #expect(machine.pump(now: until) == .releaseClaims(keeping: flying))
        guard case .sleep(let later) = machine.databaseFailed(now: until) else {
            Issue.record("no wait after a failed hand-back")
            return
        }
        #expect(machine.pump(now: later) == .releaseClaims(keeping: flying), "asked again until it succeeds")
        #expect(machine.claimsReleased(now: later) == .claim(limit: 50))
        #expect(machine.pump(now: later) == .claim(limit: 50), "handed back once")
    }

    @Test func anUnreachableDatabaseIsRetriedAfterAGrowingWaitThatResetsOnSuccess() {
        var machine = Self.machine(LaneSettings())
        var now = 100.0
        var waits: [Double] = []
        for _ in 0..<7 {
            #expect(machine.pump(now: now) == .claim(limit: 50))
            guard case .sleep(let until) = machine.databaseFailed(now: now) else {
                Issue.record("no sleep after a failure")
                return
            }
            waits.append(until - now)
            now = until
        }
        #expect(waits == [0.5, 1, 2, 4, 8, 10, 10])
        #expect(machine.claimed([], now: now) == .claimReservations(limit: 20))
        #expect(machine.databaseFailed(now: now) == .sleep(until: now + 0.5), "a claim that reached the database starts over")
    }

    @Test func theCircuitOpensHalfOpensForOneTrialAndCloses() {
        var machine = Self.machine(LaneSettings(concurrency: 2, circuitFailureThreshold: 2, circuitCooldown: 30))
        let mug = Self.target("MUG")
        var health: [LaneStateMachine.Health?] = []
        for now in [0.0, 1.0] {
            let batch = Self.claimAndPush(&machine, [mug], now: now)
            let (verdict, _) = machine.pushed(batch: batch, result: Self.result([mug], .transient("timeout")), now: now)
            health.append(verdict?.health)
            _ = machine.recorded(now: now)
        }
        #expect(
            health == [
                .failed(error: "timeout", circuit: .closed, consecutiveFailures: 1),
                .failed(error: "timeout", circuit: .open, consecutiveFailures: 2),
            ])
        #expect(machine.pump(now: 1) == .sleep(until: 31), "open: nothing goes out until the cooldown ends")
        #expect(machine.pump(now: 20) == .sleep(until: 31))

        let trial = Self.claimAndPush(&machine, [mug], now: 31)
        #expect(machine.breaker.state == .halfOpen)
        #expect(machine.pump(now: 31) == .wait, "half-open: one trial at a time, even with room for two batches")

        let (failedTrial, _) = machine.pushed(batch: trial, result: Self.result([mug], .transient("timeout")), now: 32)
        #expect(failedTrial?.health == .failed(error: "timeout", circuit: .open, consecutiveFailures: 3), "a failed trial opens it again")
        #expect(machine.recorded(now: 32) == .sleep(until: 62))

        let second = Self.claimAndPush(&machine, [mug], now: 62)
        let (closed, _) = machine.pushed(batch: second, result: Self.result([mug], .ok), now: 63)
        #expect(closed?.health == .succeeded)
        #expect(machine.breaker.state == .closed)
        #expect(machine.recorded(now: 63) == .claim(limit: 50))
    }

    @Test func theRateLimitSpacesClaims() {
        var machine = Self.machine(LaneSettings(concurrency: 10, rateLimit: 2))
        var pushedAt: [Double] = []
        var now = 0.0
        var action = machine.pump(now: now)
        while pushedAt.count < 5 {
            switch action {
            case .claim:
                action = machine.claimed([Self.target("MUG-\(pushedAt.count)")], now: now)
            case .push:
                pushedAt.append(now)
                action = machine.sent(now: now)
            case .sleep(let until):
                now = until
                action = machine.pump(now: now)
            default:
                Issue.record("unexpected \(action)")
                return
            }
        }
        #expect(pushedAt == [0, 0, 0.5, 1, 1.5], "a burst of two (one second's worth), then one every half second at 2/s")
    }

    @Test func theChannelsRateIsTheDefaultAndTheSettingWins() {
        var fromChannel = Self.machine(LaneSettings(concurrency: 10), channelRate: 1)
        _ = Self.claimAndPush(&fromChannel, [Self.target("A")], now: 0)
        #expect(fromChannel.sent(now: 0) == .sleep(until: 1))
        var fromSettings = Self.machine(LaneSettings(concurrency: 10, rateLimit: 4), channelRate: 1)
        _ = Self.claimAndPush(&fromSettings, [Self.target("A")], now: 0)
        #expect(fromSettings.sent(now: 0) == .claim(limit: 50))
    }

    @Test func heldResultsAreRecordedBeforeTheNextClaim() {
        var machine = Self.machine(LaneSettings(concurrency: 1))
        let mug = Self.target("MUG")
        let batch = Self.claimAndPush(&machine, [mug], now: 0)
        let (verdict, next) = machine.pushed(batch: batch, result: Self.result([mug], .ok), now: 1)
        #expect(verdict?.records == [.pushed(mug)])
        #expect(next == .record([.pushed(mug)]), "results first, before anything else")
        #expect(machine.databaseFailed(now: 1) == .sleep(until: 1.5))
        #expect(machine.pump(now: 1.2) == .record([.pushed(mug)]), "a wake-up records them before claiming")
        #expect(machine.databaseFailed(now: 1.2) == .sleep(until: 2.2))

        // Another batch's answer arrives while they are still held: both are recorded together.
        let cup = Self.target("CUP")
        machine = Self.machine(LaneSettings(concurrency: 2))
        let first = Self.claimAndPush(&machine, [mug], now: 0)
        let second = Self.claimAndPush(&machine, [cup], now: 0)
        _ = machine.pushed(batch: first, result: Self.result([mug], .ok), now: 1)
        _ = machine.databaseFailed(now: 1)
        let (_, both) = machine.pushed(batch: second, result: Self.result([cup], .conflict(current: 3)), now: 2)
        #expect(both == .record([.pushed(mug), .conflict(cup, current: 3, delay: 0)]))
        #expect(machine.recorded(now: 2) == .claim(limit: 50), "claims again once they are in")
    }

    @Test func retryAfterPausesTheWholeLane() {
        var machine = Self.machine(LaneSettings(concurrency: 2))
        let mug = Self.target("MUG")
        let batch = Self.claimAndPush(&machine, [mug], now: 10)
        _ = machine.pushed(batch: batch, result: Self.result([mug], .retryAfter(seconds: 7)), now: 11)
        #expect(machine.recorded(now: 11) == .sleep(until: 18))
        #expect(machine.pump(now: 18) == .claim(limit: 50))
    }

    @Test func claimsTakeTheConfiguredBatchWithinTheChannelsLargest() {
        #expect(Self.machine(LaneSettings(batchSize: 500), largestBatch: 100).batchSize == 100)
        #expect(Self.machine(LaneSettings(batchSize: nil), largestBatch: 100).batchSize == 100)
        #expect(Self.machine(LaneSettings(batchSize: 10), largestBatch: 100).batchSize == 10)
        #expect(Self.machine(LaneSettings(batchSize: 0), largestBatch: 100).batchSize == 1)
    }

    @Test func concurrencyBoundsTheBatchesInFlight() {
        var machine = Self.machine(LaneSettings(concurrency: 2))
        _ = Self.claimAndPush(&machine, [Self.target("A")], now: 0)
        #expect(machine.sent(now: 0) == .claim(limit: 50))
        _ = machine.claimed([Self.target("B")], now: 0)
        #expect(machine.sent(now: 0) == .wait)
        #expect(machine.batchesInFlight == 2)
    }

    @Test func nothingDueLooksAtReservationsThenSleepsUntilTheNextDueTarget() {
        var machine = Self.machine(LaneSettings(safetyScanInterval: 30))
        #expect(machine.pump(now: 0) == .claim(limit: 50))
        #expect(machine.claimed([], now: 0) == .claimReservations(limit: 20))
        #expect(machine.reservationsClaimed([], now: 0) == .findNextDue)
        #expect(machine.nextDue(in: 4, now: 0) == .sleep(until: 4))
        #expect(machine.nextDue(in: nil, now: 0) == .sleep(until: 30), "nothing due: the safety scan")
        #expect(machine.nextDue(in: 90, now: 0) == .sleep(until: 30))
    }

    @Test func stoppingRecordsHeldResultsAndDrainsOnceThePushesAnswer() {
        var machine = Self.machine(LaneSettings(concurrency: 2))
        let mug = Self.target("MUG")
        let cup = Self.target("CUP")
        let first = Self.claimAndPush(&machine, [mug], now: 0)
        _ = Self.claimAndPush(&machine, [cup], now: 0)
        #expect(machine.stop(now: 1) == .wait, "pushes still out")
        let (_, next) = machine.pushed(batch: first, result: Self.result([mug], .ok), now: 2)
        #expect(next == .record([.pushed(mug)]))
        #expect(machine.databaseFailed(now: 2) == .wait, "stopped: no retry timer, the other push still out")
        #expect(machine.abandon() == [cup], "the grace period ended: the unanswered batch is handed back")
        #expect(machine.pump(now: 3) == .wait, "drained once only")
    }

    @Test func aStoppedIdleLaneDrainsAtOnce() {
        var machine = Self.machine(LaneSettings())
        #expect(machine.stop(now: 0) == .drained)
        #expect(machine.pump(now: 1) == .wait)
    }
}
