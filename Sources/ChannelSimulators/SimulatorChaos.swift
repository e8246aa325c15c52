/// Random misbehaviour on a share of requests, reproducible from a seed: failures (`500`), hangs and
/// storms of throttling answers (`429` with `Retry-After`). Set on any simulator with
/// ``ChannelSimulator/setChaos(_:)``; queued faults (``ChannelSimulator/inject(_:count:)``) come first.
package struct SimulatorChaos: Sendable, Hashable {
    /// The seed of the draws.
    package var seed: UInt64
    /// The share of requests answered `500`.
    package var failure: Double
    /// The share of requests held for ``hangDuration`` before they are answered normally.
    package var hang: Double
    /// How long a hanging request is held.
    package var hangDuration: Duration
    /// The share of requests that start a storm of ``stormLength`` throttling answers.
    package var storm: Double
    /// Requests in one storm.
    package var stormLength: Int
    /// The `Retry-After` seconds each throttling answer asks for.
    package var retryAfter: Int

    /// Creates chaos settings; the shares add up to at most 1.
    package init(
        seed: UInt64, failure: Double = 0, hang: Double = 0, hangDuration: Duration = .seconds(2),
        storm: Double = 0, stormLength: Int = 20, retryAfter: Int = 1
    ) {
        precondition(failure >= 0 && hang >= 0 && storm >= 0 && failure + hang + storm <= 1, "chaos shares must add up to at most 1")
        self.seed = seed
        self.failure = failure
        self.hang = hang
        self.hangDuration = hangDuration
        self.storm = storm
        self.stormLength = stormLength
        self.retryAfter = retryAfter
    }

    /// How many requests each kind of misbehaviour has hit so far.
    package struct Tally: Sendable, Hashable {
        /// Requests answered `500`.
        package var failures = 0
        /// Requests held before their answer.
        package var hangs = 0
        /// Requests answered with a throttling answer.
        package var throttled = 0
        /// Requests answered normally.
        package var normal = 0
    }

    /// The draws in progress: the generator, the storm under way and the tally.
    struct Dealer: Sendable {
        let settings: SimulatorChaos
        private var generator: SeededGenerator
        private var stormLeft = 0
        private(set) var tally = Tally()

        init(_ settings: SimulatorChaos) {
            self.settings = settings
            generator = SeededGenerator(seed: settings.seed)
        }

        /// The fault for the next request, or nil to answer it normally.
        mutating func next() -> SimulatorFault? {
            if stormLeft > 0 {
                stormLeft -= 1
                tally.throttled += 1
                return .throttle(seconds: settings.retryAfter)
            }
            let draw = Double.random(in: 0..<1, using: &generator)
            switch draw {
            case ..<settings.failure:
                tally.failures += 1
                return .fail(status: 500)
            case ..<(settings.failure + settings.hang):
                tally.hangs += 1
                return .hang(settings.hangDuration)
            case ..<(settings.failure + settings.hang + settings.storm):
                stormLeft = settings.stormLength - 1
                tally.throttled += 1
                return .throttle(seconds: settings.retryAfter)
            default:
                tally.normal += 1
                return nil
            }
        }
    }
}
