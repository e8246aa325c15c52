import ChannelSimulators
import Foundation
import TestSupport
import Testing

/// Redeliveries that change only the headers a signature does not cover must not be counted twice:
/// an event's identity comes from the vendor's object, not from the delivery header alone.
@Suite("webhook replays")
struct WebhookReplayTests {
    @Test("shopify: one refunds/create body under three X-Shopify-Webhook-Ids is stored (and so counted) once")
    func shopifyRefundUnderNewDeliveryIDs() async throws {
        try await ServerHarness.with { server async throws in
            let simulator = ShopifySimulator(accessToken: "t", webhookSecret: ServerHarness.shopifySecret)
            let order = simulator.addOrder(lines: [("MUG", 2)])
            let refund = simulator.refundPayload(order: order, refundID: 4401, restocked: [("MUG", 2)], location: "gid://shopify/Location/1")
            let url = server.baseURL + "/webhooks/webshop"
            for delivery in ["wh-a", "wh-b", "wh-c"] {
                #expect(try await simulator.sendWebhook(topic: "refunds/create", payload: refund, to: url, webhookID: delivery) == 200)
            }
            #expect(try server.inboxCount(channel: "webshop") == 1)
            // A second refund of the same order is a different object and is stored.
            let second = simulator.refundPayload(order: order, refundID: 4402, restocked: [("MUG", 1)], location: "gid://shopify/Location/1")
            #expect(try await simulator.sendWebhook(topic: "refunds/create", payload: second, to: url, webhookID: "wh-d") == 200)
            #expect(try server.inboxCount(channel: "webshop") == 2)
        }
    }
}
