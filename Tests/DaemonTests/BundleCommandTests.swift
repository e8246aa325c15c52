import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// `omnistock bundles import` and `omnistock stock BUNDLE` as operators run them.
@Suite struct BundleCommandTests {
    func write(_ text: String, suffix: String) throws -> String {
        let path = NSTemporaryDirectory() + "omnistock-bundles-\(UUID().uuidString.prefix(8))\(suffix)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func importIsAllOrNothingAndStockShowsTheComponents() throws {
        let database = try TestDatabase.make()
        let catalog = Catalog(pool: database.pool)
        try catalog.upsertLocation(LocationDefinition(code: "wh-main", kind: .warehouse))
        for sku in ["MUG", "CAP"] { try catalog.upsertSKU(sku) }
        _ = try StockLedger(pool: database.pool).receive(sku: "MUG", location: "wh-main", quantity: 5, key: "m")
        let config = try write("[[locations]]\ncode = \"wh-main\"\nkind = \"warehouse\"\n", suffix: ".toml")
        let arguments = ["--config", config, "--database", database.url]
        let bad = try write("bundle_sku,component_sku,quantity,name\nGIFT,MUG,2,Gift\nGIFT,CAP,x\nKIT,NOPE,1\n", suffix: ".csv")
        let refused = try DaemonProcess.run(["bundles", "import", bad] + arguments)
        #expect(refused.status == 1)
        #expect(refused.output.contains("line 3: quantity must be a whole number from 1 to 10000, not \"x\""), "\(refused.output)")
        #expect(try database.pool.query("SELECT count(*)::int FROM bundle_components") { try $0[0].decode(Int.self, at: 0) } == 0)
        let unknown = try write("bundle_sku,component_sku,quantity\nGIFT,MUG,2\nKIT,NOPE,1\n", suffix: ".csv")
        let refusedAgain = try DaemonProcess.run(["bundles", "import", unknown] + arguments)
        #expect(refusedAgain.status == 1)
        #expect(refusedAgain.output.contains("KIT: unknown component SKU NOPE"), "\(refusedAgain.output)")
        #expect(try database.pool.query("SELECT count(*)::int FROM bundle_components") { try $0[0].decode(Int.self, at: 0) } == 0)
        let good = try write("bundle_sku,component_sku,quantity,name\nGIFT,MUG,2,Gift box\nGIFT,CAP,1,\n", suffix: ".csv")
        let imported = try DaemonProcess.run(["bundles", "import", good] + arguments)
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("1 bundles, 2 components defined"))
        let stock = try DaemonProcess.run(["stock", "GIFT"] + arguments)
        #expect(stock.status == 0, "\(stock.output)")
        #expect(stock.output.contains("bundle of:"))
        #expect(stock.output.contains("MUG"))
        let verify = try DaemonProcess.run(["verify"] + arguments)
        #expect(verify.status == 0, "\(verify.output)")
    }
}
