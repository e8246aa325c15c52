import Testing

@testable import ChannelSimulators

/// The simulators' chaos draws, checked on a fixed seed so that the shares are exact for the run, not
/// a matter of luck (the fault suite's daemon test draws a random seed and sees too few requests for that).
@Suite struct SimulatorChaosTests {
    static let settings = SimulatorChaos(
        seed: 42, failure: 0.3, hang: 0.05, hangDuration: .milliseconds(1500), storm: 0.02, stormLength: 5, retryAfter: 1)

    static func deal(_ requests: Int) -> SimulatorChaos.Tally {
        var dealer = SimulatorChaos.Dealer(settings)
        for _ in 0..<requests { _ = dealer.next() }
        return dealer.tally
    }

    @Test func aboutThirtyPercentFailAndEveryKindStrikes() {
        let tally = Self.deal(10_000)
        let total = tally.failures + tally.hangs + tally.throttled + tally.normal
        #expect(total == 10_000)
        #expect(Double(tally.failures) > 0.15 * Double(total), "about 30 % failed: \(tally)")
        #expect(Double(tally.failures) < 0.35 * Double(total), "about 30 % failed: \(tally)")
        #expect(tally.hangs >= 3 && tally.throttled >= 3, "\(tally)")
    }

    @Test func aStormThrottlesItsWholeLength() {
        var dealer = SimulatorChaos.Dealer(SimulatorChaos(seed: 7, storm: 1, stormLength: 5, retryAfter: 2))
        let faults = (0..<5).map { _ in dealer.next() }
        #expect(faults.allSatisfy { $0 == .throttle(seconds: 2) })
        #expect(dealer.tally.throttled == 5)
    }

    @Test func theSameSeedDealsTheSameSequence() {
        #expect(Self.deal(1_000) == Self.deal(1_000))
    }
}
