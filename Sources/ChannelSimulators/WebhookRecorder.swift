import Hummingbird

/// A receiver that records every webhook POSTed to it and answers with a fixed status:
/// a stand-in for Omnistock's ingress in tests of webhook delivery.
package final class WebhookRecorder: ChannelSimulator {
    /// The shared machinery; its request log holds the deliveries.
    package let core = SimulatorCore()
    private let status: Int

    /// Creates a recorder answering `status`.
    package init(status: Int = 200) {
        self.status = status
    }

    /// The URL to deliver to, once started.
    package var url: String { baseURL + "/webhooks" }

    /// Accepts `POST /webhooks`.
    package func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/webhooks") { request, _ in
            try await self.core.respond(to: request) { _, _ in SimulatorCore.bytes([], status: self.status) }
        }
        return router
    }
}
