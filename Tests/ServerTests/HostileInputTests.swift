import ChannelSimulators
import ChannelVocabulary
import CurlHTTP
import Foundation
import Ledger
import Server
import TestSupport
import Testing

/// Numbers, names and bodies a hostile or careless client sends: each gets a clear 4xx, nothing is
/// stored, and the server goes on answering.
@Suite("hostile input")
struct HostileInputTests {
    static let write = ServerHarness.writeToken
    static let read = ServerHarness.readToken

    @Test(
        "quantities outside the ledger's range are 400 invalid_request on every movement, reservation and count; the server lives on",
        arguments: [
            #"{"type": "adjust", "sku": "MUG", "location": "wh-main", "delta": -9223372036854775808}"#,
            #"{"type": "adjust", "sku": "MUG", "location": "wh-main", "delta": 9223372036854775807}"#,
            #"{"type": "adjust", "sku": "MUG", "location": "wh-main", "delta": -2147483648}"#,
            #"{"type": "receive", "sku": "MUG", "location": "wh-main", "quantity": 2147483648}"#,
            #"{"type": "sell", "sku": "MUG", "location": "wh-main", "quantity": 9223372036854775807}"#,
            #"{"type": "return", "sku": "MUG", "location": "wh-main", "quantity": 4294967296}"#,
            #"{"type": "count", "sku": "MUG", "location": "wh-main", "on_hand": 2147483648}"#,
            #"{"type": "transfer", "sku": "MUG", "from": "wh-main", "to": "store-krakow", "quantity": 9223372036854775807}"#,
        ])
    func outOfRangeMovements(body: String) async throws {
        try await ServerHarness.with { server async throws in
            let answer = try await server.send(
                .post, "/v1/movements", token: Self.write, headers: [("Idempotency-Key", "big")], json: body)
            #expect(answer.status == 400)
            #expect(answer.json["error"] as? String == "invalid_request")
            let reservation = try await server.send(
                .post, "/v1/reservations", token: Self.write, headers: [("Idempotency-Key", "big-r")],
                json: #"{"sku": "MUG", "location": "wh-main", "quantity": 9223372036854775807}"#)
            #expect(reservation.status == 400)
            #expect(try await server.send(.get, "/healthz").status == 200)
            #expect(try server.fixture.scalar("SELECT count(*)::int FROM movements") == 0)
        }
    }

    @Test("the largest quantities the ledger holds are accepted, and adding beyond the column's range is refused, not trapped")
    func edgeOfRange() async throws {
        try await ServerHarness.with { server async throws in
            let biggest = #"{"type": "receive", "sku": "MUG", "location": "wh-main", "quantity": 2147483647}"#
            let first = try await server.send(.post, "/v1/movements", token: Self.write, headers: [("Idempotency-Key", "max")], json: biggest)
            #expect(first.status == 201)
            let more = #"{"type": "receive", "sku": "MUG", "location": "wh-main", "quantity": 1}"#
            let beyond = try await server.send(.post, "/v1/movements", token: Self.write, headers: [("Idempotency-Key", "max+1")], json: more)
            #expect(beyond.status == 400)
            #expect(beyond.json["error"] as? String == "invalid_request")
            let decrease = #"{"type": "adjust", "sku": "MUG", "location": "wh-main", "delta": -2147483647}"#
            #expect(
                try await server.send(.post, "/v1/movements", token: Self.write, headers: [("Idempotency-Key", "min")], json: decrease).status == 201)
            #expect(try server.fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'MUG' AND location = 'wh-main'") == 0)
        }
    }

    @Test("a signed stock.adjusted whose delta does not fit the ledger is 400 at ingress and never stored")
    func outOfRangeWebhook() async throws {
        try await ServerHarness.with { server async throws in
            let simulator = OmnistockJSONSimulator(token: "t", webhookSecret: ServerHarness.posSecret)
            let url = server.baseURL + "/webhooks/pos"
            let poison: [String: Any] = ["sku": "MUG", "location": "store-krakow", "delta": Int.min, "reason": "damaged"]
            #expect(try await simulator.sendWebhook(type: "stock.adjusted", data: poison, to: url, id: "msg_poison") == 400)
            let count: [String: Any] = ["sku": "MUG", "location": "store-krakow", "on_hand": 1 << 40, "counted_at": "2026-11-20T10:00:00Z"]
            #expect(try await simulator.sendWebhook(type: "stock.counted", data: count, to: url, id: "msg_count") == 400)
            let order: [String: Any] = ["order": "O-1", "lines": [["sku": "MUG", "quantity": -3]], "fulfillment": "ship"]
            #expect(try await simulator.sendWebhook(type: "order.created", data: order, to: url, id: "msg_order") == 400)
            #expect(try server.inboxCount() == 0)
        }
    }

    @Test("path parameters are percent-decoded once: SKUs with spaces, slashes and percent signs round-trip")
    func percentDecodedPaths() async throws {
        try await ServerHarness.with { server async throws in
            for sku in ["SKU with space", "A/B", "100%-cotton", "ŻÓŁW"] {
                try server.fixture.catalog.upsertSKU(sku)
                _ = try server.fixture.ledger.receive(sku: sku, location: LedgerFixture.store, quantity: 3, key: "seed-\(sku)")
                let encoded = try #require(sku.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
                let stock = try await server.send(.get, "/v1/stock/\(encoded)", token: Self.read)
                #expect(stock.status == 200, "\(sku)")
                #expect(stock.json["sku"] as? String == sku)
                let pickup = try await server.send(.get, "/v1/stores/\(LedgerFixture.store)/pickup/\(encoded)", token: Self.read)
                #expect(pickup.status == 200, "\(sku)")
                #expect(pickup.json["sku"] as? String == sku)
            }
        }
    }

    @Test("a chunked body over the limit is 413, like one with a Content-Length")
    func chunkedBodyOverLimit() async throws {
        try await ServerHarness.with(adjust: { $0.maxBodyBytes = 1024 }) { server async throws in
            let big =
                Array(#"{"type": "receive", "sku": "MUG", "location": "wh-main", "quantity": 1, "reference": ""#.utf8)
                + Array(repeating: UInt8(ascii: "x"), count: 4096) + Array(#""}"#.utf8)
            let headers = [("Idempotency-Key", "chunked"), ("Authorization", "Bearer \(Self.write)"), ("Content-Type", "application/json")]
            #expect(try RawHTTP.postChunked(port: server.port, path: "/v1/movements", headers: headers, body: big) == 413)
            #expect(try RawHTTP.postChunked(port: server.port, path: "/webhooks/pos", headers: [], body: big) == 413)
            let small = Array(#"{"type": "receive", "sku": "MUG", "location": "wh-main", "quantity": 1}"#.utf8)
            #expect(try RawHTTP.postChunked(port: server.port, path: "/v1/movements", headers: headers, body: small, chunkSize: 7) == 201)
            #expect(try server.fixture.scalar("SELECT count(*)::int FROM movements") == 1)
        }
    }
}
