import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import HTTPTypes
import Testing

@Suite("woocommerce webhooks")
struct WooCommerceWebhookTests {
    static let secret = "wc-webhook-secret"

    func channel(secrets: [String] = [secret]) -> WooCommerceChannel {
        WooCommerceChannel(
            configuration: WooCommerceConfiguration(
                siteURL: "http://127.0.0.1:1", consumerKey: "ck", consumerSecret: "cs", webhookSecrets: secrets
            ), client: sharedClient)
    }

    func deliver(_ send: (String) async throws -> Int) async throws -> (HTTPFields, [UInt8]) {
        let recorder = WebhookRecorder()
        try await recorder.start()
        _ = try await send(recorder.url)
        await recorder.stop()
        let delivery = try #require(recorder.requests.first)
        return (headers(delivery.headers.map { ($0.name, $0.value) }), delivery.body)
    }

    @Test("signature: valid, tampered, wrong secret, rotated; the unsigned creation ping is a ping")
    func verification() async throws {
        let simulator = WooCommerceSimulator(consumerKey: "ck", consumerSecret: "cs", webhookSecret: Self.secret)
        let order = simulator.addOrder(lines: [("MUG", 1)])
        let (received, body) = try await deliver {
            try await simulator.sendWebhook(topic: "order.created", payload: simulator.orderPayload(order), to: $0)
        }
        #expect(channel().verifyWebhook(headers: received, body: body, now: Date()) == .verified)
        #expect(channel().verifyWebhook(headers: received, body: Array(body.dropLast()), now: Date()) == .rejected("signature mismatch"))
        #expect(channel(secrets: ["old"]).verifyWebhook(headers: received, body: body, now: Date()) == .rejected("signature mismatch"))
        #expect(channel(secrets: ["old", Self.secret]).verifyWebhook(headers: received, body: body, now: Date()) == .verified)
        let (pingHeaders, pingBody) = try await deliver { try await simulator.sendPing(to: $0, webhookID: 42) }
        #expect(channel().verifyWebhook(headers: pingHeaders, body: pingBody, now: Date()) == .ping)
        #expect(try channel().parseWebhook(headers: pingHeaders, body: pingBody).isEmpty)
        #expect(channel().verifyWebhook(headers: [:], body: bytes("{}"), now: Date()) == .rejected("missing signature"))
    }

    @Test("order.created with several lines and pickup; order.updated to cancelled and completed")
    func orders() async throws {
        let simulator = WooCommerceSimulator(consumerKey: "ck", consumerSecret: "cs", webhookSecret: Self.secret)
        let mug = simulator.addProduct(sku: "MUG", stock: 5)
        let shirt = simulator.addVariableProduct(sku: "TSHIRT", variations: [("TSHIRT-M", 5)])
        let order = simulator.addOrder(lines: [("MUG", 2), ("TSHIRT-M", 1)], pickup: true)
        let sent = Date(timeIntervalSince1970: 1_795_000_000)
        let (created, createdBody) = try await deliver {
            try await simulator.sendWebhook(topic: "order.created", payload: simulator.orderPayload(order), to: $0, at: sent)
        }
        let events = try channel().parseWebhook(headers: created, body: createdBody)
        #expect(
            events.first?.id.hasPrefix("order-\(order.id)/") == true && events.first?.id.hasSuffix("/" + simulator.deliveryID(at: sent)) == true,
            "keyed by the resource, the body and the delivery id")
        #expect(
            events == [
                NormalizedEvent(
                    id: events.first?.id ?? "", kind: .orderCreated, orderRef: "\(order.id)",
                    lines: [
                        .init(sku: "MUG", externalID: "\(mug)", quantity: 2),
                        .init(sku: "TSHIRT-M", externalID: "\(shirt.parent)/\(shirt.variations[0])", quantity: 1),
                    ],
                    fulfillment: .pickup, occurredAt: events.first?.occurredAt
                )
            ])
        for (status, kind) in [("cancelled", NormalizedEvent.Kind.orderCancelled), ("completed", .orderFulfilled), ("on-hold", .orderCreated)] {
            let updated = try #require(simulator.updateOrder(order.id, status: status))
            let (received, body) = try await deliver {
                try await simulator.sendWebhook(topic: "order.updated", payload: simulator.orderPayload(updated), to: $0)
            }
            #expect(try channel().parseWebhook(headers: received, body: body).map(\.kind) == [kind])
        }
    }

    @Test("addOrder(deliverTo:) delivers a verifiable order.created")
    func addOrderDelivers() async throws {
        let simulator = WooCommerceSimulator(consumerKey: "ck", consumerSecret: "cs", webhookSecret: Self.secret)
        simulator.addProduct(sku: "MUG", stock: 3)
        let recorder = WebhookRecorder()
        try await recorder.start()
        let order = try await simulator.addOrder(lines: [("MUG", 1)], deliverTo: recorder.url)
        await recorder.stop()
        let delivery = try #require(recorder.requests.first)
        let received = headers(delivery.headers.map { ($0.name, $0.value) })
        #expect(channel().verifyWebhook(headers: received, body: delivery.body, now: Date()) == .verified)
        #expect(try channel().parseWebhook(headers: received, body: delivery.body).first?.orderRef == "\(order.id)")
    }
}
