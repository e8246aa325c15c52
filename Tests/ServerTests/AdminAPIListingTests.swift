import ChannelVocabulary
import CurlHTTP
import Foundation
import Ledger
import PostgresClient
import Server
import TestSupport
import Testing

/// Listings set by hand through the admin API: they replace a discovered id, are pushed to at once, and are refused
/// with every problem named.
@Suite("admin API listings")
struct AdminAPIListingTests {
    static let write = ServerHarness.writeToken
    static let read = ServerHarness.readToken

    @Test("PUT maps a SKU by hand over a discovered id and marks its target due; GET lists it; DELETE removes it")
    func listings() async throws {
        try await ServerHarness.withRouter { server in
            let pool = server.fixture.database.pool
            _ = try server.fixture.ledger.receive(sku: "MUG", location: "wh-main", quantity: 5, key: "m")
            try pool.execute("INSERT INTO listings (channel, sku, external_id) VALUES ('woo', 'MUG', '11')")
            try pool.execute("UPDATE outbox SET pushed_version = wanted_version, pushed_value = 5 WHERE channel = 'woo'")
            let before = try server.fixture.scalar("SELECT wanted_version::int FROM outbox WHERE channel = 'woo' AND sku = 'MUG'")

            let put = try await server.send(.put, "/v1/channels/woo/listings/MUG", token: Self.write, json: #"{"external_id": "42"}"#)
            #expect(put.status == 200, "\(put.bodyText)")
            let listed = try await server.send(.get, "/v1/channels/woo/listings", token: Self.read)
            let listing = try #require((listed.json["listings"] as? [[String: Any]])?.first)
            #expect(listing["external_id"] as? String == "42")
            #expect(listing["source"] as? String == "manual")
            #expect(try server.fixture.scalar("SELECT count(*)::int FROM listings WHERE channel = 'woo'") == 1)
            #expect(
                try server.fixture.scalar("SELECT wanted_version::int FROM outbox WHERE channel = 'woo' AND sku = 'MUG'") > before,
                "the ledger's value goes to the new id at once")

            let bad = try await server.send(.put, "/v1/channels/woo/listings/NOPE", token: Self.write, json: #"{"external_id": ""}"#)
            #expect(bad.status == 422)
            #expect(bad.json["error"] as? String == "invalid_listing")
            #expect((bad.json["message"] as? String)?.contains("unknown SKU NOPE") == true)
            #expect(try await server.send(.get, "/v1/channels/none/listings", token: Self.read).status == 404)

            #expect(try await server.send(.delete, "/v1/channels/woo/listings/MUG", token: Self.write).status == 204)
            #expect(try await server.send(.delete, "/v1/channels/woo/listings/MUG", token: Self.write).status == 404)
            #expect(try server.fixture.scalar("SELECT count(*)::int FROM listings") == 0)
        }
    }

    @Test("a duplicate match is an open conflict in /v1/conflicts until a PUT chooses; the status page counts unmatched listings")
    func duplicatesAndUnmatched() async throws {
        try await ServerHarness.withRouter { server in
            let pool = server.fixture.database.pool
            try pool.execute(
                """
                INSERT INTO conflicts (kind, channel, sku, detail)
                VALUES ('duplicate_listing', 'woo', 'MUG', '{"match": "sku", "key": "MUG", "items": ["11", "12"], "skus": ["MUG"]}')
                """)
            try server.fixture.catalog.recordCatalogue(
                channel: "woo",
                items: [
                    CatalogueEntry(externalID: "11", sku: "MUG", barcode: nil), CatalogueEntry(externalID: "12", sku: "MUG", barcode: nil),
                ], readAt: Date())
            let open = try await server.send(.get, "/v1/conflicts", token: Self.read)
            #expect(open.status == 200)
            #expect(open.bodyText.contains("duplicate_listing"), "\(open.bodyText)")
            let skus = try server.fixture.scalar("SELECT count(*)::int FROM skus")
            let page = try await server.send(.get, "/", token: Self.read)
            #expect(page.bodyText.contains("woo \(skus) SKUs without a listing, 2 items without a SKU"), "\(page.bodyText)")

            #expect(try await server.send(.put, "/v1/channels/woo/listings/MUG", token: Self.write, json: #"{"external_id": "12"}"#).status == 200)
            #expect(try server.fixture.scalar("SELECT count(*)::int FROM conflicts WHERE kind = 'duplicate_listing' AND resolved_at IS NULL") == 0)
            let after = try await server.send(.get, "/", token: Self.read)
            #expect(after.bodyText.contains("woo \(skus - 1) SKUs without a listing, 1 items without a SKU"), "\(after.bodyText)")
        }
    }
}
