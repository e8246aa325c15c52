import ChannelSimulators
import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// `omnistock listings import` as operators run it: all or nothing, every bad row named, manual mappings win.
@Suite struct ListingsCommandTests {
    func write(_ text: String, suffix: String) throws -> String {
        let path = NSTemporaryDirectory() + "omnistock-listings-\(UUID().uuidString.prefix(8))\(suffix)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func importIsAllOrNothingAndReplacesADiscoveredId() throws {
        let database = try TestDatabase.make()
        let config = try write(
            """
            [[locations]]
            code = "wh-main"
            kind = "warehouse"
            [[channels]]
            code = "market"
            kind = "allegro"
            base_url = "http://127.0.0.1:1"
            """, suffix: ".toml")
        let arguments = ["--config", config, "--database", database.url]
        #expect(try DaemonProcess.run(["migrate"] + arguments).status == 0)
        let catalog = Catalog(pool: database.pool)
        for sku in ["MUG", "CAP"] { try catalog.upsertSKU(sku) }
        try database.pool.execute("INSERT INTO listings (channel, sku, external_id) VALUES ('market', 'MUG', 'discovered-1')")
        let bad = try write("channel,sku,external_id,location\nmarket,MUG,777,\nmarket,NOPE,1,\nshop,CAP,2,\nmarket,CAP,3,wh-x\n", suffix: ".csv")
        let refused = try DaemonProcess.run(["listings", "import", bad] + arguments)
        #expect(refused.status == 1)
        #expect(refused.output.contains("line 3: unknown SKU NOPE"), "\(refused.output)")
        #expect(refused.output.contains("line 4: unknown channel shop"))
        #expect(refused.output.contains("line 5: channel market does not sell from wh-x"))
        let good = try write("channel,sku,external_id\nmarket,MUG,777\nmarket,CAP,778\n", suffix: ".csv")
        let imported = try DaemonProcess.run(["listings", "import", good] + arguments)
        #expect(imported.status == 0, "\(imported.output)")
        let ids = try database.pool.query(
            "SELECT string_agg(sku || '=' || external_id || ':' || (details->>'source'), ',' ORDER BY sku) FROM listings"
        ) {
            try $0[0].decode(String.self, at: 0)
        }
        #expect(ids == "CAP=778:manual,MUG=777:manual")
    }

    @Test func barcodesComeWithTheStockFileAndUnmatchedNamesWhatMatchesNothing() async throws {
        let database = try TestDatabase.make()
        let shop = WooCommerceSimulator(consumerKey: "ck", consumerSecret: "cs", webhookSecret: "secret")
        _ = try await shop.start()
        defer { Task { await shop.stop() } }
        let config = try write(
            """
            [[locations]]
            code = "wh-main"
            kind = "warehouse"
            [[channels]]
            code = "woo"
            kind = "woocommerce"
            base_url = "\(shop.baseURL)"
            consumer_key = "ck"
            consumer_secret = "cs"
            match = "barcode"
            """, suffix: ".toml")
        let arguments = ["--config", config, "--database", database.url]
        let stock = try write("sku,location,on_hand,barcode\nMUG,wh-main,5,4006381333931\nCAP,wh-main,2,\n", suffix: ".csv")
        let imported = try DaemonProcess.run(["import", stock, "--create"] + arguments)
        #expect(imported.status == 0, "\(imported.output)")
        let barcodes = try database.pool.query("SELECT string_agg(sku || '=' || COALESCE(barcode, '-'), ',' ORDER BY sku) FROM skus") {
            try $0[0].decode(String.self, at: 0)
        }
        #expect(barcodes == "CAP=-,MUG=4006381333931")

        let gift = shop.addProduct(sku: "GIFT", stock: 0)
        try Catalog(pool: database.pool).setListings([ListingMapping(channel: "woo", sku: "MUG", externalID: "999")])
        let unmatched = try DaemonProcess.run(["listings", "unmatched", "--json"] + arguments)
        #expect(unmatched.status == 0, "\(unmatched.output)")
        let json = unmatched.output[try #require(unmatched.output.range(of: "[\n")).lowerBound...]
        let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(report?.first?["channel"] as? String == "woo")
        #expect(report?.first?["skus"] as? [String] == ["CAP"])
        #expect((report?.first?["items"] as? [[String: Any]])?.compactMap { $0["external_id"] as? String } == [String(gift)])
        let status = try DaemonProcess.run(["status"] + arguments)
        #expect(status.output.contains("woo 1 SKUs without a listing, 1 items without a SKU"), "\(status.output)")
    }
}
