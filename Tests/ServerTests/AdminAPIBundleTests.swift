import ChannelVocabulary
import CurlHTTP
import Foundation
import Ledger
import Server
import TestSupport
import Testing

/// Bundles through the admin API: defined with PUT, read back, reserved whole, refused with every problem named.
@Suite("admin API bundles")
struct AdminAPIBundleTests {
    static let write = ServerHarness.writeToken
    static let read = ServerHarness.readToken

    @Test("PUT defines a bundle, GET reads it, a reservation holds its components, a bad definition is 422")
    func bundles() async throws {
        try await ServerHarness.withRouter { server in
            let definition = #"{"name": "Mug and cap", "components": [{"sku": "MUG", "quantity": 2}, {"sku": "CAP", "quantity": 1}]}"#
            #expect(try await server.send(.put, "/v1/bundles/GIFT", token: Self.read, json: definition).status == 403)
            let put = try await server.send(.put, "/v1/bundles/GIFT", token: Self.write, json: definition)
            #expect(put.status == 200, "\(put.bodyText)")
            #expect(put.json["name"] as? String == "Mug and cap")
            let got = try await server.send(.get, "/v1/bundles/GIFT", token: Self.read)
            #expect((got.json["components"] as? [[String: Any]])?.map { "\($0["sku"]!)×\($0["quantity"]!)" } == ["CAP×1", "MUG×2"])
            #expect(got.json["barcode"] == nil, "none yet")
            let withBarcode = #"{"barcode": "5901234123457", "components": [{"sku": "MUG", "quantity": 2}, {"sku": "CAP", "quantity": 1}]}"#
            #expect(
                try await server.send(.put, "/v1/bundles/GIFT", token: Self.write, json: withBarcode).json["barcode"] as? String == "5901234123457")
            #expect(
                try await server.send(.put, "/v1/bundles/GIFT", token: Self.write, json: definition).json["barcode"] as? String == "5901234123457",
                "a definition without one keeps the barcode")
            let list = try await server.send(.get, "/v1/bundles", token: Self.read)
            #expect((list.json["bundles"] as? [[String: Any]])?.count == 1)
            #expect(try await server.send(.get, "/v1/bundles/MUG", token: Self.read).status == 404)

            _ = try server.fixture.ledger.receive(sku: "MUG", location: "wh-main", quantity: 5, key: "m")
            _ = try server.fixture.ledger.receive(sku: "CAP", location: "wh-main", quantity: 1, key: "c")
            let stock = try await server.send(.get, "/v1/stock/GIFT", token: Self.read)
            #expect((stock.json["components"] as? [[String: Any]])?.count == 2)
            let reserve = #"{"sku": "GIFT", "location": "wh-main", "quantity": 1, "kind": "checkout"}"#
            let held = try await server.send(.post, "/v1/reservations", token: Self.write, headers: [("Idempotency-Key", "g1")], json: reserve)
            #expect(held.status == 201, "\(held.bodyText)")
            #expect((held.json["components"] as? [[String: Any]])?.count == 2)
            let more = try await server.send(.post, "/v1/reservations", token: Self.write, headers: [("Idempotency-Key", "g2")], json: reserve)
            #expect(more.status == 409)
            #expect(more.json["error"] as? String == "insufficient_stock")
            let id = try #require((held.json["reservation"] as? [String: Any])?["id"] as? String)
            let released = try await server.send(.post, "/v1/reservations/\(id)/release", token: Self.write)
            #expect(released.status == 200)
            #expect(try server.fixture.scalar("SELECT sum(reserved)::int FROM levels") == 0)

            let bad = #"{"components": [{"sku": "NOPE", "quantity": 1}, {"sku": "MUG", "quantity": 0}]}"#
            let refused = try await server.send(.put, "/v1/bundles/KIT", token: Self.write, json: bad)
            #expect(refused.status == 422)
            #expect(refused.json["error"] as? String == "invalid_bundle")
            #expect((refused.json["message"] as? String)?.contains("unknown component SKU NOPE") == true)
            #expect((refused.json["message"] as? String)?.contains("quantity of MUG must be 1 to 10000, not 0") == true)
        }
    }
}
