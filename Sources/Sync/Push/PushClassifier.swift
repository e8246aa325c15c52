import ChannelVocabulary
import Ledger
import Support

/// Turns adapter outcomes into what the outbox records, and tells whether the channel itself failed.
enum PushClassifier {
    /// The record for one target and whether it counts as a channel failure for the circuit breaker.
    static func record(
        for target: PushTarget, outcome: PushOutcome, backoff: Backoff, random: () -> Double = { Double.random(in: 0...1) }
    ) -> (PushRecord, channelFailed: Bool) {
        let attempts = target.attempts + 1
        switch outcome {
        case .ok:
            return (.pushed(target), false)
        case .conflict(let current):
            return (
                .conflict(target, current: current, delay: target.attempts == 0 ? 0 : backoff.delay(afterAttempts: attempts, random: random)), false
            )
        case .retryAfter(let seconds):
            return (
                .failed(
                    target, error: "throttled: retry after \(seconds) s",
                    delay: backoff.delay(afterAttempts: attempts, retryAfter: Double(seconds), random: random), permanent: false), false
            )
        case .permanent(let excerpt):
            return (.failed(target, error: excerpt, delay: 0, permanent: true), false)
        case .transient(let message):
            return (.failed(target, error: message, delay: backoff.delay(afterAttempts: attempts, random: random), permanent: false), true)
        }
    }

    /// The longest `Retry-After` among the outcomes: the whole lane pauses that long.
    static func pause(in outcomes: [PushOutcome]) -> Double? {
        outcomes.compactMap { if case .retryAfter(let seconds) = $0 { Double(seconds) } else { nil } }.max()
    }
}
