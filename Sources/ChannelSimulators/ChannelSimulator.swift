import Hummingbird

/// A local HTTP server that speaks one channel's API, holds its state and misbehaves on request.
package protocol ChannelSimulator: AnyObject, Sendable {
    /// The shared server, log and fault machinery.
    var core: SimulatorCore { get }
    /// The API's routes.
    func makeRouter() -> Router<BasicRequestContext>
}

extension ChannelSimulator {
    /// Starts serving on 127.0.0.1 (`port: 0` picks a free port) and returns the bound port.
    @discardableResult
    package func start(port: Int = 0) async throws -> Int {
        try await core.start(router: makeRouter(), port: port)
    }

    /// Stops serving.
    package func stop() async {
        await core.stop()
    }

    /// `http://127.0.0.1:<port>` once started.
    package var baseURL: String { core.baseURL }

    /// Every request received so far, in order.
    package var requests: [RecordedRequest] { core.requests }

    /// Forgets the request log.
    package func clearRequests() { core.clearRequests() }

    /// Makes the next `count` requests misbehave as `fault` says.
    package func inject(_ fault: SimulatorFault, count: Int = 1) {
        core.inject(fault, count: count)
    }

    /// Makes a random share of the following requests misbehave, reproducibly from the seed in
    /// `chaos`; nil ends the chaos. Queued faults still come first.
    package func setChaos(_ chaos: SimulatorChaos?) {
        core.setChaos(chaos)
    }

    /// What the chaos in force has done so far (nil when there is none).
    package var chaosTally: SimulatorChaos.Tally? { core.chaosTally }
}
