import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import PostgresClient
import Server
import TestSupport
import Testing

/// Webhook ingress against a live server on a loopback port and a real PostgreSQL.
@Suite("webhook ingress")
struct WebhookIngressTests {
    /// The Standard Webhooks specification's published example (standard-webhooks/standard-webhooks,
    /// spec/standard-webhooks.md and the reference libraries' tests): this id, timestamp, body and
    /// secret give this signature.
    enum StandardWebhooksVector {
        static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
        static let timestamp = "1614265330"
        static let body = #"{"test": 2432232314}"#
        static let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        static let signedAt = Date(timeIntervalSince1970: 1_614_265_330)
    }

    /// RFC 4231 test case 2 (HMAC-SHA256, key "Jefe"), base64-encoded: the computation Shopify
    /// (`X-Shopify-Hmac-Sha256`) and WooCommerce (`X-WC-Webhook-Signature`) document for their webhooks.
    enum RFC4231Vector {
        static let key = "Jefe"
        static let body = "what do ya want for nothing?"
        static let base64 = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
    }

    func vectorHeaders(
        signature: String = StandardWebhooksVector.signature, timestamp: String = StandardWebhooksVector.timestamp
    ) -> [(String, String)] {
        [("webhook-id", StandardWebhooksVector.id), ("webhook-timestamp", timestamp), ("webhook-signature", signature)]
    }

    @Test("omnistock-json: the published Standard Webhooks vector passes verification; tampering, stale and missing headers are 401")
    func standardWebhooksVector() async throws {
        try await ServerHarness.with(now: { StandardWebhooksVector.signedAt }) { server in
            // The vector's body is not an omnistock-json event: verified, then refused as malformed (400, not 401).
            let verified = try await server.send(.post, "/webhooks/pos", headers: vectorHeaders(), json: StandardWebhooksVector.body)
            #expect(verified.status == 400)
            #expect(verified.json["error"] as? String == "invalid_request")
            let tampered = try await server.send(.post, "/webhooks/pos", headers: vectorHeaders(), json: #"{"test": 2432232315}"#)
            #expect(tampered.status == 401)
            #expect(tampered.json["error"] as? String == "invalid_signature")
            let stale = try await server.send(
                .post, "/webhooks/pos", headers: vectorHeaders(timestamp: "1614264000"), json: StandardWebhooksVector.body)
            #expect(stale.status == 401)
            let missing = try await server.send(.post, "/webhooks/pos", json: StandardWebhooksVector.body)
            #expect(missing.status == 401)
            #expect(!missing.bodyText.contains("whsec"))
            #expect(try server.inboxCount() == 0)
        }
    }

    @Test("omnistock-json: a signed event is stored once with its headers; the same webhook-id again is 200 and changes nothing")
    func storedOnce() async throws {
        try await ServerHarness.with { server in
            let simulator = OmnistockJSONSimulator(token: "t", webhookSecret: ServerHarness.posSecret)
            let url = server.baseURL + "/webhooks/pos"
            let data: [String: Any] = ["sku": "MUG", "location": "store-krakow", "on_hand": 4, "counted_at": "2026-11-20T10:00:00Z"]
            #expect(try await simulator.sendWebhook(type: "stock.counted", data: data, to: url, id: "msg_1") == 200)
            #expect(try await simulator.sendWebhook(type: "stock.counted", data: data, to: url, id: "msg_1") == 200)
            #expect(try server.inboxCount(channel: "pos") == 1)
            let stored = try server.pool.query("SELECT event_id, status, headers->>'webhook-id', payload FROM inbox") { rows in
                (
                    try rows[0].decode(String.self, at: 0), try rows[0].decode(String.self, at: 1), try rows[0].decode(String.self, at: 2),
                    try rows[0].decode(String.self, at: 3)
                )
            }
            #expect(stored.0 == "msg_1" && stored.1 == "pending" && stored.2 == "msg_1")
            #expect(stored.3.contains("stock.counted"))
            // An unknown event type, correctly signed, is 400 and stored nowhere.
            #expect(try await simulator.sendWebhook(type: "stock.teleported", data: [:], to: url, id: "msg_2") == 400)
            #expect(try server.inboxCount() == 1)
        }
    }

    @Test("shopify: RFC 4231 vector verifies; simulator-signed orders are stored; rotation; tampering and missing header are 401")
    func shopify() async throws {
        try await ServerHarness.with { server in
            let simulator = ShopifySimulator(accessToken: "t", webhookSecret: ServerHarness.shopifySecret)
            let order = simulator.addOrder(lines: [("MUG", 1)])
            let url = server.baseURL + "/webhooks/webshop"
            #expect(
                try await simulator.sendWebhook(topic: "orders/create", payload: simulator.orderPayload(order), to: url, webhookID: "wh-1") == 200)
            #expect(
                try await simulator.sendWebhook(topic: "orders/create", payload: simulator.orderPayload(order), to: url, webhookID: "wh-1") == 200)
            #expect(try server.inboxCount(channel: "webshop") == 1)
            let wrongSecret = ShopifySimulator(accessToken: "t", webhookSecret: "not-the-secret")
            #expect(
                try await wrongSecret.sendWebhook(topic: "orders/create", payload: simulator.orderPayload(order), to: url, webhookID: "wh-2") == 401)
            let unsigned = try await server.send(.post, "/webhooks/webshop", headers: [("X-Shopify-Topic", "orders/create")], json: "{}")
            #expect(unsigned.status == 401)
            #expect(try server.inboxCount(channel: "webshop") == 1)
        }
    }

    @Test("woocommerce: signed orders stored once; the creation ping is 200 and stored nowhere; wrong secret is 401")
    func wooCommerce() async throws {
        try await ServerHarness.with { server async throws in
            let simulator = WooCommerceSimulator(consumerKey: "ck", consumerSecret: "cs", webhookSecret: ServerHarness.wooSecret)
            let order = simulator.addOrder(lines: [("MUG", 2)])
            let url = server.baseURL + "/webhooks/woo"
            let sent = Date(timeIntervalSince1970: 1_795_000_000)
            #expect(try await simulator.sendWebhook(topic: "order.created", payload: simulator.orderPayload(order), to: url, at: sent) == 200)
            #expect(try await simulator.sendWebhook(topic: "order.created", payload: simulator.orderPayload(order), to: url, at: sent) == 200)
            #expect(try await simulator.sendPing(to: url) == 200)
            let wrongSecret = WooCommerceSimulator(consumerKey: "ck", consumerSecret: "cs", webhookSecret: "other")
            #expect(try await wrongSecret.sendWebhook(topic: "order.created", payload: simulator.orderPayload(order), to: url, at: sent + 5) == 401)
            #expect(try server.inboxCount(channel: "woo") == 1)
            #expect(
                try server.fixture.scalar(
                    "SELECT count(*)::int FROM inbox WHERE event_id LIKE '%/' || $1 AND headers ? 'x-wc-webhook-topic'",
                    [simulator.deliveryID(at: sent)]) == 1)
        }
    }

    @Test("woocommerce: two orders delivered in one second share WooCommerce's delivery id and are both stored; a redelivery is stored once")
    func wooCommerceDeliveryIDCollision() async throws {
        try await ServerHarness.with { server async throws in
            let simulator = WooCommerceSimulator(consumerKey: "ck", consumerSecret: "cs", webhookSecret: ServerHarness.wooSecret)
            let url = server.baseURL + "/webhooks/woo"
            let second = Date(timeIntervalSince1970: 1_795_000_000.1)
            #expect(simulator.deliveryID(at: second) == simulator.deliveryID(at: second + 0.8), "WooCommerce's id changes only with the second")
            let first = simulator.addOrder(lines: [("MUG", 1)])
            let other = simulator.addOrder(lines: [("CAP", 2)])
            #expect(try await simulator.sendWebhook(topic: "order.created", payload: simulator.orderPayload(first), to: url, at: second) == 200)
            #expect(try await simulator.sendWebhook(topic: "order.created", payload: simulator.orderPayload(other), to: url, at: second + 0.5) == 200)
            #expect(try server.inboxCount(channel: "woo") == 2, "another order in the same second is another delivery")
            let cancelled = try #require(simulator.updateOrder(first.id, status: "cancelled", at: second))
            #expect(
                try await simulator.sendWebhook(topic: "order.updated", payload: simulator.orderPayload(cancelled), to: url, at: second + 0.6) == 200)
            #expect(try server.inboxCount(channel: "woo") == 3, "the same order changed in the same second is another delivery")
            // A true redelivery: the same body under the same delivery id.
            #expect(
                try await simulator.sendWebhook(topic: "order.updated", payload: simulator.orderPayload(cancelled), to: url, at: second + 0.7) == 200)
            #expect(try server.inboxCount(channel: "woo") == 3)
        }
    }

    @Test("shopify and woocommerce: the RFC 4231 vector verifies (then its non-JSON body is 400); one changed byte is 401")
    func rfc4231() async throws {
        try await ServerHarness.with(bodySecret: RFC4231Vector.key) { server in
            let channels = [
                ("webshop", "X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "orders/create"),
                ("woo", "X-WC-Webhook-Signature", "X-WC-Webhook-Topic", "order.created"),
            ]
            for (code, signatureHeader, topicHeader, topic) in channels {
                let headers = [(signatureHeader, RFC4231Vector.base64), (topicHeader, topic)]
                let verified = try await server.send(.post, "/webhooks/\(code)", headers: headers, json: RFC4231Vector.body)
                #expect(verified.status == 400, "\(code)")
                let tampered = try await server.send(.post, "/webhooks/\(code)", headers: headers, json: RFC4231Vector.body + " ")
                #expect(tampered.status == 401, "\(code)")
            }
            #expect(try server.inboxCount() == 0)
        }
    }

    @Test("per-channel rate limit: verified webhooks over the budget get 429 with Retry-After; unsigned ones do not spend it")
    func channelRateLimit() async throws {
        try await ServerHarness.with(adjust: { $0.channelRateLimit = RateLimit(perSecond: 0.01, burst: 2) }) { server async throws in
            let simulator = OmnistockJSONSimulator(token: "t", webhookSecret: ServerHarness.posSecret)
            let url = server.baseURL + "/webhooks/pos"
            for _ in 0..<3 { #expect(try await server.send(.post, "/webhooks/pos", json: "{}").status == 401) }
            #expect(try await simulator.sendWebhook(type: "order.cancelled", data: ["order": "A"], to: url, id: "msg_a") == 200)
            #expect(try await simulator.sendWebhook(type: "order.cancelled", data: ["order": "B"], to: url, id: "msg_b") == 200)
            #expect(try await simulator.sendWebhook(type: "order.cancelled", data: ["order": "C"], to: url, id: "msg_c") == 429)
            #expect(try await simulator.sendWebhook(type: "order.cancelled", data: ["order": "A"], to: server.baseURL + "/webhooks/woo") == 401)
            #expect(try server.inboxCount() == 2)
        }
    }

    @Test("unknown channel 404, oversized body 413, malformed JSON 400; nothing stored")
    func limitsAndErrors() async throws {
        try await ServerHarness.with(adjust: { $0.maxBodyBytes = 1024 }) { server in
            let simulator = OmnistockJSONSimulator(token: "t", webhookSecret: ServerHarness.posSecret)
            #expect(try await simulator.sendWebhook(type: "order.cancelled", data: ["order": "A"], to: server.baseURL + "/webhooks/nope") == 404)
            let big = String(repeating: "x", count: 2048)
            #expect(try await simulator.sendWebhook(type: "order.cancelled", data: ["order": big], to: server.baseURL + "/webhooks/pos") == 413)
            let id = "msg_bad", timestamp = String(Int(Date().timeIntervalSince1970)), body = "{not json"
            let signature = StandardWebhooks.sign(secret: ServerHarness.posSecret, id: id, timestamp: Int(timestamp)!, body: Array(body.utf8))!
            let malformed = try await server.send(
                .post, "/webhooks/pos", headers: [("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", signature)], json: body)
            #expect(malformed.status == 400)
            #expect(try server.inboxCount() == 0)
        }
    }
}
