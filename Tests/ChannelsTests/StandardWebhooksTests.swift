import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import HTTPTypes
import Testing

@Suite("omnistock-json webhooks (Standard Webhooks)")
struct StandardWebhooksTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let body = bytes(#"{"test": 2432232314}"#)
    static let signedAt = Date(timeIntervalSince1970: 1_614_265_330)

    func channel(secrets: [String]) -> OmnistockJSONChannel {
        OmnistockJSONChannel(configuration: .init(baseURL: "http://127.0.0.1:1", token: "t", webhookSecrets: secrets), client: sharedClient)
    }

    func vectorHeaders(signature: String = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") -> HTTPFields {
        headers([("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"), ("webhook-timestamp", "1614265330"), ("webhook-signature", signature)])
    }

    @Test("the specification's published vector verifies")
    func vector() {
        #expect(channel(secrets: [Self.secret]).verifyWebhook(headers: vectorHeaders(), body: Self.body, now: Self.signedAt) == .verified)
        #expect(
            StandardWebhooks.sign(secret: Self.secret, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Self.body)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("tampered body, wrong secret, missing headers and stale timestamps are rejected")
    func rejections() {
        let channel = channel(secrets: [Self.secret])
        let tampered = bytes(#"{"test": 2432232315}"#)
        #expect(channel.verifyWebhook(headers: vectorHeaders(), body: tampered, now: Self.signedAt) == .rejected("signature mismatch"))
        let other = self.channel(secrets: ["whsec_" + Data(repeating: 7, count: 24).base64EncodedString()])
        #expect(other.verifyWebhook(headers: vectorHeaders(), body: Self.body, now: Self.signedAt) == .rejected("signature mismatch"))
        #expect(channel.verifyWebhook(headers: [:], body: Self.body, now: Self.signedAt) == .rejected("missing webhook headers"))
        #expect(
            channel.verifyWebhook(headers: vectorHeaders(), body: Self.body, now: Self.signedAt + 301) == .rejected("timestamp outside tolerance"))
        #expect(
            channel.verifyWebhook(headers: vectorHeaders(), body: Self.body, now: Self.signedAt - 301) == .rejected("timestamp outside tolerance"))
        #expect(channel.verifyWebhook(headers: vectorHeaders(), body: Self.body, now: Self.signedAt + 300) == .verified)
    }

    @Test("rotation: either configured secret verifies; any of several signatures may match")
    func rotation() {
        let newSecret = "whsec_" + Data(repeating: 9, count: 32).base64EncodedString()
        let rotated = channel(secrets: [newSecret, Self.secret])
        #expect(rotated.verifyWebhook(headers: vectorHeaders(), body: Self.body, now: Self.signedAt) == .verified)
        let newSignature = StandardWebhooks.sign(secret: newSecret, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Self.body)!
        let both = vectorHeaders(signature: "v1,bm90LWl0 " + newSignature)
        #expect(channel(secrets: [newSecret]).verifyWebhook(headers: both, body: Self.body, now: Self.signedAt) == .verified)
    }

    @Test("event bodies become normalized events keyed by webhook-id")
    func parse() throws {
        let channel = channel(secrets: [Self.secret])
        let id = headers([("webhook-id", "msg_1")])
        let created = try channel.parseWebhook(
            headers: id,
            body: bytes(
                """
                {"type": "order.created", "data": {"order": "WEB-1001", "fulfillment": "pickup", "pickup_location": "store-krakow",
                 "created_at": "2026-11-20T10:00:00Z",
                 "lines": [{"sku": "TSHIRT-RED-M", "quantity": 2, "location": "store-krakow"}, {"sku": "MUG", "quantity": 1}]}}
                """))
        #expect(
            created == [
                NormalizedEvent(
                    id: "msg_1", kind: .orderCreated, orderRef: "WEB-1001",
                    lines: [.init(sku: "TSHIRT-RED-M", quantity: 2, location: "store-krakow"), .init(sku: "MUG", quantity: 1)],
                    fulfillment: .pickup, pickupLocation: "store-krakow", occurredAt: ISO8601DateFormatter().date(from: "2026-11-20T10:00:00Z")
                )
            ])
        let cancelled = try channel.parseWebhook(headers: id, body: bytes(#"{"type": "order.cancelled", "data": {"order": "WEB-1001"}}"#))
        #expect(cancelled == [NormalizedEvent(id: "msg_1", kind: .orderCancelled, orderRef: "WEB-1001")])
        let adjusted = try channel.parseWebhook(
            headers: id,
            body: bytes(
                """
                {"type": "stock.adjusted", "data": {"sku": "MUG", "location": "store-krakow", "delta": -1, "reason": "damaged", "reference": "POS-77"}}
                """))
        #expect(
            adjusted == [
                NormalizedEvent(
                    id: "msg_1", kind: .stockAdjusted, lines: [.init(sku: "MUG", quantity: -1, location: "store-krakow")], reason: "damaged",
                    reference: "POS-77"
                )
            ])
        let counted = try channel.parseWebhook(
            headers: id,
            body: bytes(
                """
                {"type": "stock.counted", "data": {"sku": "MUG", "location": "store-krakow", "on_hand": 4, "counted_at": "2026-11-20T10:00:00Z"}}
                """))
        #expect(counted.first?.kind == .stockCounted && counted.first?.lines.first?.quantity == 4)
        #expect(throws: ChannelError.self) { try channel.parseWebhook(headers: id, body: bytes(#"{"type": "order.exploded", "data": {}}"#)) }
        #expect(throws: ChannelError.self) { try channel.parseWebhook(headers: id, body: bytes("not json")) }
    }

    @Test("the simulator delivers a signed order webhook that the adapter verifies and parses")
    func delivery() async throws {
        let recorder = WebhookRecorder()
        try await recorder.start()
        let simulator = OmnistockJSONSimulator(token: "t", webhookSecret: Self.secret)
        let status = try await simulator.addOrder("WEB-7", lines: [("A", 1), ("B", 3)], pickupLocation: "store-krakow", to: recorder.url)
        await recorder.stop()
        #expect(status == 200)
        let delivery = try #require(recorder.requests.first)
        let received = headers(delivery.headers.map { ($0.name, $0.value) })
        let channel = channel(secrets: [Self.secret])
        #expect(channel.verifyWebhook(headers: received, body: delivery.body, now: Date()) == .verified)
        let events = try channel.parseWebhook(headers: received, body: delivery.body)
        #expect(events.first?.lines.map(\.quantity) == [1, 3])
        #expect(events.first?.pickupLocation == "store-krakow")
    }
}
