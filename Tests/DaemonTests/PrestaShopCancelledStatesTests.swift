import ChannelSimulators
import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// A PrestaShop channel's `cancelled_states` reaches the adapter the daemon builds: an order in a state the shop
/// added to cancel takes nothing, and an installer id the shop no longer lists imports as a sale like any other state.
@Suite struct PrestaShopCancelledStatesTests {
    @Test func theDaemonCancelsOrdersInTheConfiguredStatesOnly() async throws {
        let database = try TestDatabase.make(migrated: false, maxConnections: 4)
        let key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
        let shop = PrestaShopSimulator(key: key)
        shop.addProduct(reference: "MUG", quantity: 9)
        let voided = shop.addOrderState(shipped: false)
        shop.addOrder(lines: [("MUG", 2)], state: voided)
        shop.addOrder(lines: [("MUG", 1)], state: 6)
        _ = try await shop.start()
        let configPath = NSTemporaryDirectory() + "omnistock-prestashop-\(UUID().uuidString.prefix(8)).toml"
        defer { try? FileManager.default.removeItem(atPath: configPath) }
        try """
        [server]
        listen = "127.0.0.1:0"
        [sync]
        order_poll_interval = "1s"
        [[locations]]
        code = "wh-main"
        kind = "warehouse"
        [[channels]]
        code = "shop"
        kind = "prestashop"
        base_url = "\(shop.baseURL)"
        token = "\(key)"
        locations = ["wh-main"]
        cancelled_states = [\(voided)]
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        #expect(try DaemonProcess.run(["migrate", "--config", configPath, "--database", database.url]).status == 0)
        try Catalog(pool: database.pool).upsertSKU("MUG")
        _ = try StockLedger(pool: database.pool).receive(sku: "MUG", location: "wh-main", quantity: 9, key: "r1")

        let daemon = try DaemonProcess(["serve", "--config", configPath, "--database", database.url])
        // The cursor is stored once the page's imports have committed.
        let polled = {
            (try? database.pool.query("SELECT orders_cursor IS NOT NULL FROM channel_state WHERE channel = 'shop'") {
                try $0.first?.decode(Bool.self, at: 0)
            }) ?? nil
        }
        let reserved = {
            (try? database.pool.query("SELECT reserved FROM levels WHERE sku = 'MUG'") { try $0.first?.decode(Int.self, at: 0) }) ?? nil
        }
        #expect(await eventually { polled() == true }, "the order poll stored its cursor; log: \(daemon.output.suffix(2000))")
        #expect(reserved() == 1, "the order in state 6 is a sale, the one in the shop's own cancelling state is not")
        daemon.send(SIGTERM)
        #expect(daemon.wait(timeout: 20) == 0)
        await shop.stop()
    }
}
