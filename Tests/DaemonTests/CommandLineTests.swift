import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// The `omnistock` binary as operators use it: exit codes, messages, import and verify.
@Suite struct CommandLineTests {
    func write(_ text: String, suffix: String = ".toml") throws -> String {
        let path = NSTemporaryDirectory() + "omnistock-cli-\(UUID().uuidString.prefix(8))\(suffix)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func anUnknownConfigKeyExitsWithTwoNamingTheKey() throws {
        let config = try write("[server]\nlisten = \"127.0.0.1:1\"\nlisen = 3\n")
        let (status, output) = try DaemonProcess.run(["verify", "--config", config])
        #expect(status == 2)
        #expect(output.contains("server.lisen: unknown key"))
    }

    @Test func anInvalidValueExitsWithTwo() throws {
        let config = try write("[[channels]]\ncode = \"x\"\nkind = \"shopify\"\nbase_url = \"http://127.0.0.1:1\"\nshare = 150\n")
        let (status, output) = try DaemonProcess.run(["verify", "--config", config])
        #expect(status == 2)
        #expect(output.contains("channels[0].share: must be between 0 and 100"))
    }

    @Test func anUnreachableDatabaseExitsWithThree() throws {
        let (status, output) = try DaemonProcess.run(["verify", "--database", "postgresql:///none?host=/nonexistent-omnistock"])
        #expect(status == 3)
        #expect(output.contains("cannot reach the database"))
    }

    @Test func importStockVerifyRoundTrip() throws {
        let database = try TestDatabase.make()
        let config = try write(
            """
            [[locations]]
            code = "wh-main"
            kind = "warehouse"
            """)
        let csv = try write("sku,location,on_hand,name\nMUG,wh-main,5,\"Mug, white\"\nCAP,wh-main,2,Cap\n", suffix: ".csv")
        let arguments = ["--config", config, "--database", database.url]
        let refused = try DaemonProcess.run(["import", csv] + arguments)
        #expect(refused.status == 1)
        #expect(refused.output.contains("unknown SKUs: CAP, MUG"))
        let imported = try DaemonProcess.run(["import", csv, "--create"] + arguments)
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("2 rows, 2 levels changed"))
        let stock = try DaemonProcess.run(["stock", "MUG", "--json"] + arguments)
        #expect(stock.status == 0)
        #expect(stock.output.contains("\"name\" : \"Mug, white\""))
        #expect(stock.output.contains("\"on_hand\" : 5"))
        let verify = try DaemonProcess.run(["verify"] + arguments)
        #expect(verify.status == 0)
        // Corrupt a level behind the ledger's back: verify must notice.
        try database.pool.execute("ALTER TABLE levels DISABLE TRIGGER levels_enqueue_push_on_update")
        try database.pool.execute("UPDATE levels SET on_hand = 99 WHERE sku = 'MUG'")
        let broken = try DaemonProcess.run(["verify"] + arguments)
        #expect(broken.status == 1)
        #expect(broken.output.contains("MUG @ wh-main: levels on_hand=99"))
    }

    /// `omnistock stock` says why each channel shows what it shows.
    @Test func stockExplainsEachChannelsValue() throws {
        let database = try TestDatabase.make()
        let channel = { (code: String, policy: String) in
            "[[channels]]\ncode = \"\(code)\"\nkind = \"omnistock-json\"\nbase_url = \"http://127.0.0.1:9\"\nper_location = false\n\(policy)\n"
        }
        let config = try write(
            "[[locations]]\ncode = \"wh-main\"\nkind = \"warehouse\"\n"
                + channel("webshop", "priority = 1\nbuffer = 1") + channel("market", "last_units = 2\nbuffer_mode = \"lag_aware\""))
        let arguments = ["--config", config, "--database", database.url]
        #expect(
            try DaemonProcess.run(["import", try write("sku,location,on_hand\nMUG,wh-main,2\n", suffix: ".csv"), "--create"] + arguments).status == 0)
        let stock = try DaemonProcess.run(["stock", "MUG"] + arguments)
        #expect(stock.status == 0, "\(stock.output)")
        let lines = stock.output.split(separator: "\n").map(String.init)
        let market = try #require(lines.first { $0.hasPrefix("market") })
        #expect(market.contains("2 available, last units kept for a higher-priority channel"))
        #expect(market.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first == "0", "\(market)")
        let webshop = try #require(lines.first { $0.hasPrefix("webshop") })
        #expect(webshop.contains("2 available, −1 buffer"))
    }

    @Test func importMigratesAFreshDatabaseAsServeDoes() throws {
        let database = try TestDatabase.make(migrated: false)
        let csv = try write("sku,location,on_hand\nMUG,wh-main,5\n", suffix: ".csv")
        let result = try DaemonProcess.run(["import", csv, "--create", "--database", database.url])
        #expect(result.status == 0, "\(result.output)")
        #expect(try database.pool.query("SELECT on_hand FROM levels WHERE sku = 'MUG'") { try $0[0].decode(Int.self, at: 0) } == 5)
    }

    @Test func everyCommandTakesDataDirBenchToo() throws {
        let blocker = try write("a file, not a directory", suffix: ".txt")
        let bench = try DaemonProcess.run(["bench", "--quick", "--only", "hot-sku", "--data-dir", blocker + "/bench"])
        #expect(bench.status == 2, "\(bench.output)")
        #expect(bench.output.contains(blocker + "/bench"))
    }

    @Test func aMalformedLineImportsNothing() throws {
        let database = try TestDatabase.make()
        let csv = try write("sku,location,on_hand\nMUG,wh-main,5\nCAP,wh-main,lots\n", suffix: ".csv")
        let result = try DaemonProcess.run(["import", csv, "--create", "--database", database.url])
        #expect(result.status == 1)
        #expect(result.output.contains("line 3"))
        #expect(try database.pool.query("SELECT count(*) FROM levels") { try $0[0].decode(Int.self, at: 0) } == 0)
    }
}
