import ChannelSimulators

/// The store endpoint benchmarks push to and reconcile against: a local omnistock-json simulator.
enum BenchEndpoint {
    /// The bearer token the endpoint accepts.
    static let token = "bench"

    /// Starts an endpoint on 127.0.0.1 (it sends no webhooks in a benchmark; the secret is only required).
    static func start() async throws -> OmnistockJSONSimulator {
        let simulator = OmnistockJSONSimulator(token: token, webhookSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        _ = try await simulator.start()
        return simulator
    }
}
