import Ledger

extension ChannelHealthStore {
    /// Records a failed call with the circuit breaker's state after it.
    package func recordFailure(channel: String, error: String, circuit: CircuitBreaker.State, consecutiveFailures: Int) throws {
        try recordFailure(channel: channel, error: error, circuit: circuit.rawValue, consecutiveFailures: consecutiveFailures)
    }
}
