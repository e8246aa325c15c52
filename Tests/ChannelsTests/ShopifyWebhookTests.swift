import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import HTTPTypes
import Testing

@Suite("shopify webhooks")
struct ShopifyWebhookTests {
    static let secret = "shpss_app_secret"

    func channel(secrets: [String] = [secret]) -> ShopifyChannel {
        ShopifyChannel(
            configuration: ShopifyConfiguration(
                shopURL: "http://127.0.0.1:1", accessToken: "t", webhookSecrets: secrets,
                locations: ["wh-main": "gid://shopify/Location/1", "store-krakow": "gid://shopify/Location/2"]
            ), client: sharedClient)
    }

    /// Delivers `topic` from the simulator to a recorder and returns what arrived.
    func deliver(_ simulator: ShopifySimulator, topic: String, payload: [String: Any]) async throws -> (HTTPFields, [UInt8]) {
        let recorder = WebhookRecorder()
        try await recorder.start()
        try await simulator.sendWebhook(topic: topic, payload: payload, to: recorder.url, webhookID: "wh-1")
        await recorder.stop()
        let delivery = try #require(recorder.requests.first)
        return (headers(delivery.headers.map { ($0.name, $0.value) }), delivery.body)
    }

    @Test("signature: valid, tampered, wrong secret, rotated secrets, missing header")
    func verification() async throws {
        let simulator = ShopifySimulator(accessToken: "t", webhookSecret: Self.secret)
        let order = simulator.addOrder(lines: [("A", 1)])
        let (received, body) = try await deliver(simulator, topic: "orders/create", payload: simulator.orderPayload(order))
        #expect(channel().verifyWebhook(headers: received, body: body, now: Date()) == .verified)
        #expect(channel().verifyWebhook(headers: received, body: body + [32], now: Date()) == .rejected("signature mismatch"))
        #expect(channel(secrets: ["other"]).verifyWebhook(headers: received, body: body, now: Date()) == .rejected("signature mismatch"))
        #expect(channel(secrets: ["new-secret", Self.secret]).verifyWebhook(headers: received, body: body, now: Date()) == .verified)
        #expect(channel().verifyWebhook(headers: [:], body: body, now: Date()) == .rejected("missing signature"))
    }

    @Test("orders/create with several lines, orders/cancelled, orders/fulfilled")
    func orders() async throws {
        let simulator = ShopifySimulator(accessToken: "t", webhookSecret: Self.secret)
        let order = simulator.addOrder(lines: [("TSHIRT-RED-M", 2), ("MUG", 1), ("CAP", 3)])
        let (created, createdBody) = try await deliver(simulator, topic: "orders/create", payload: simulator.orderPayload(order))
        let events = try channel().parseWebhook(headers: created, body: createdBody)
        #expect(events.count == 1)
        #expect(events[0].id == "wh-1" && events[0].sourceEventID == "event-wh-1")
        #expect(events[0].kind == .orderCreated && events[0].orderRef == order.gid)
        #expect(events[0].lines.map(\.sku) == ["TSHIRT-RED-M", "MUG", "CAP"])
        #expect(events[0].lines.map(\.quantity) == [2, 1, 3])
        simulator.updateOrder(order.id, cancelled: true)
        let cancelledOrder = try #require(simulator.orders.first)
        let (cancelled, cancelledBody) = try await deliver(simulator, topic: "orders/cancelled", payload: simulator.orderPayload(cancelledOrder))
        #expect(try channel().parseWebhook(headers: cancelled, body: cancelledBody).map(\.kind) == [.orderCancelled])
        let (fulfilled, fulfilledBody) = try await deliver(simulator, topic: "orders/fulfilled", payload: simulator.orderPayload(order))
        #expect(try channel().parseWebhook(headers: fulfilled, body: fulfilledBody).map(\.kind) == [.orderFulfilled])
    }

    @Test("refunds/create: restocked return lines become a positive adjustment at the mapped location")
    func refund() async throws {
        let simulator = ShopifySimulator(accessToken: "t", webhookSecret: Self.secret)
        let order = simulator.addOrder(lines: [("TSHIRT-RED-M", 2), ("MUG", 1)])
        let payload = simulator.refundPayload(
            order: order, refundID: 77, restocked: [("TSHIRT-RED-M", 1), ("MUG", 1)], location: "gid://shopify/Location/2")
        let (received, body) = try await deliver(simulator, topic: "refunds/create", payload: payload)
        let events = try channel().parseWebhook(headers: received, body: body)
        #expect(events.count == 1)
        #expect(events[0].kind == .stockAdjusted && events[0].reason == "return" && events[0].reference == "refund:77")
        #expect(events[0].orderRef == order.gid)
        #expect(events[0].lines.map(\.sku) == ["TSHIRT-RED-M", "MUG"])
        #expect(events[0].lines.map(\.quantity) == [1, 1])
        #expect(events[0].lines.allSatisfy { $0.location == "store-krakow" })
    }

    @Test("inventory_levels/update is a drift signal; other topics give nothing")
    func drift() throws {
        let body = bytes(#"{"inventory_item_id": 271878346596884015, "location_id": 1, "available": 6, "updated_at": "2026-11-20T10:00:00Z"}"#)
        let events = try channel().parseWebhook(
            headers: headers([("X-Shopify-Topic", "inventory_levels/update"), ("X-Shopify-Webhook-Id", "w")]), body: body)
        #expect(
            events == [
                NormalizedEvent(
                    id: "w", kind: .channelLevelChanged,
                    lines: [
                        .init(
                            sku: nil, externalID: "gid://shopify/InventoryItem/271878346596884015", quantity: 6, location: "wh-main"
                        )
                    ])
            ])
        #expect(try channel().parseWebhook(headers: headers([("X-Shopify-Topic", "app/uninstalled")]), body: bytes("{}")).isEmpty)
    }

    @Test("addOrder(deliverTo:) delivers a verifiable orders/create")
    func addOrderDelivers() async throws {
        let recorder = WebhookRecorder()
        try await recorder.start()
        let simulator = ShopifySimulator(accessToken: "t", webhookSecret: Self.secret)
        let order = try await simulator.addOrder(lines: [("A", 2)], deliverTo: recorder.url)
        await recorder.stop()
        let delivery = try #require(recorder.requests.first)
        let received = headers(delivery.headers.map { ($0.name, $0.value) })
        #expect(channel().verifyWebhook(headers: received, body: delivery.body, now: Date()) == .verified)
        #expect(try channel().parseWebhook(headers: received, body: delivery.body).first?.orderRef == order.gid)
    }
}
