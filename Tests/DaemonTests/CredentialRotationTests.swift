import ChannelSimulators
import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// Allegro rotates refresh tokens: the configured one works once. A restarted daemon must go on from the
/// latest token it stored, not from the configuration.
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
        second.send(SIGTERM)
        #expect(second.wait(timeout: 20) == 0)
        await marketplace.stop()
    }

    private func eventually(timeout: Double = 30, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return condition()
    }
}
