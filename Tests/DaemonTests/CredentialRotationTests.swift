import ChannelSimulators
import CurlHTTP
import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// Allegro rotates refresh tokens: the configured one works once. A restarted daemon must go on from the
/// latest token it stored, not from the configuration. Allegro sends no webhooks: the daemon reads its order feed
/// every `sync.order_poll_interval`, and counts its requests to the channel in `/metrics`.
@Suite struct CredentialRotationTests {
    @Test func aRestartedDaemonGoesOnFromTheRotatedAllegroToken() async throws {
        let database = try TestDatabase.make(migrated: false, maxConnections: 4)
        let marketplace = AllegroSimulator(clientID: "client", clientSecret: "secret", refreshToken: "configured-refresh")
        marketplace.addOffer(id: "9000000001", sku: "MUG", available: 0)
        _ = try await marketplace.start()
        let configPath = NSTemporaryDirectory() + "omnistock-allegro-\(UUID().uuidString.prefix(8)).toml"
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
        code = "marketplace"
        kind = "allegro"
        base_url = "\(marketplace.baseURL)"
        token_url = "\(marketplace.baseURL)/auth/oauth/token"
        client_id = "client"
        client_secret = "secret"
        refresh_token = "configured-refresh"
        locations = ["wh-main"]
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let arguments = ["serve", "--config", configPath, "--database", database.url]
        #expect(try DaemonProcess.run(["migrate", "--config", configPath, "--database", database.url]).status == 0)
        try Catalog(pool: database.pool).upsertSKU("MUG")
        let ledger = StockLedger(pool: database.pool)
        _ = try ledger.receive(sku: "MUG", location: "wh-main", quantity: 5, key: "r1")

        let first = try DaemonProcess(arguments)
        #expect(await eventually { marketplace.offer("9000000001")?.available == 5 }, "log: \(first.output.suffix(2000))")
        first.send(SIGTERM)
        #expect(first.wait(timeout: 20) == 0)
        #expect(marketplace.currentRefreshToken != "configured-refresh", "the first run refreshed and was given a new token")

        marketplace.expireAccessTokens()
        _ = try ledger.receive(sku: "MUG", location: "wh-main", quantity: 2, key: "r2")
        let second = try DaemonProcess(arguments)
        #expect(await eventually { marketplace.offer("9000000001")?.available == 7 }, "log: \(second.output.suffix(2000))")
        let stored = try database.pool.query("SELECT refresh_token FROM channel_credentials WHERE channel = 'marketplace'") {
            try $0.first?.decode(String.self, at: 0)
        }
        #expect(stored == marketplace.currentRefreshToken, "the latest rotation is stored")

        #expect(marketplace.sell(offer: "9000000001", quantity: 3, checkoutForm: "cf-1") != nil)
        let reserved = {
            (try? database.pool.query("SELECT reserved FROM levels WHERE sku = 'MUG'") { try $0.first?.decode(Int.self, at: 0) }) ?? nil
        }
        #expect(await eventually { reserved() == 3 }, "the order poll imported the sale; log: \(second.output.suffix(2000))")
        let port = try #require(try await second.listeningPort())
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let metrics = String(decoding: try await http.execute(HTTPRequest(method: .get, url: "http://127.0.0.1:\(port)/metrics")).body, as: UTF8.self)
        #expect(metrics.contains(#"omnistock_channel_requests_total{host="127.0.0.1",status="200"}"#), "\(metrics)")
        #expect(metrics.contains(#"omnistock_orders_polled_total{channel="marketplace"} 1"#))
        second.send(SIGTERM)
        #expect(second.wait(timeout: 20) == 0)
        await marketplace.stop()
    }
}
