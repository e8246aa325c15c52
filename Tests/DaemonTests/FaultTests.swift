import ChannelSimulators
import Foundation
import Ledger
import PostgresClient
import Testing
import TestSupport

/// The daemon under faults: killed with SIGKILL mid-stream, several replicas with one dying,
/// the database restarted under load. Each ends with every endpoint value equal to the ledger's
/// and `verify` clean.
@Suite(.serialized) struct FaultTests {
    static let store = "store-krakow"
    static let skus = (0..<40).map { "SKU-\($0)" }

    /// A store endpoint, a database and a config file for daemons pointing at both.
    struct Setup {
        let simulator: OmnistockJSONSimulator
        let pool: PostgresPool
        let ledger: StockLedger
        let databaseURL: String
        let configPath: String

        init(databaseURL: String, pool: PostgresPool) async throws {
            simulator = OmnistockJSONSimulator(token: "t", webhookSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            _ = try await simulator.start()
            self.pool = pool
            self.databaseURL = databaseURL
            ledger = StockLedger(pool: pool)
            configPath = NSTemporaryDirectory() + "omnistock-fault-\(UUID().uuidString.prefix(8)).toml"
            try """
                [server]
                listen = "127.0.0.1:0"
                [sync]
                safety_scan_interval = "1s"
                max_backoff = "1s"
                [[locations]]
                code = "\(FaultTests.store)"
                kind = "store"
                click_and_collect = true
                [[channels]]
                code = "pos"
                kind = "omnistock-json"
                base_url = "\(simulator.baseURL)"
                token = "t"
                locations = ["\(FaultTests.store)"]
                batch_size = 25
                """.write(toFile: configPath, atomically: true, encoding: .utf8)
            let migrate = try DaemonProcess.run(["migrate", "--config", configPath, "--database", databaseURL])
            guard migrate.status == 0 else { throw SetupFailure(output: migrate.output) }
            let catalog = Catalog(pool: pool)
            for sku in FaultTests.skus { try catalog.upsertSKU(sku) }
        }

        func daemon() throws -> DaemonProcess {
            try DaemonProcess(["serve", "--config", configPath, "--database", databaseURL])
        }

        /// Applies `count` random stock changes at the store (receipts and sales), `from` onwards.
        func stream(_ range: Range<Int>) throws {
            for index in range {
                let sku = FaultTests.skus[index % FaultTests.skus.count]
                if index % 3 == 2 {
                    _ = try? ledger.sell(sku: sku, location: FaultTests.store, quantity: 1, key: "s\(index)")
                } else {
                    _ = try ledger.receive(sku: sku, location: FaultTests.store, quantity: 1 + index % 4, key: "r\(index)")
                }
            }
        }

        /// SKUs whose endpoint value differs from what the ledger says it should be.
        func differences() throws -> [String] {
            try FaultTests.skus.filter { sku in
                let expected = try ledger.channelValue(channel: "pos", sku: sku, scope: FaultTests.store)
                return simulator.level(sku: sku, location: FaultTests.store)?.available != expected
            }
        }

        /// Waits until the endpoint equals the ledger everywhere.
        func converged(timeout: Double = 60) async throws -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if (try? differences().isEmpty) == true { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return try differences().isEmpty
        }
    }

    struct SetupFailure: Error { var output: String }

    @Test func killedWithSIGKILLMidStreamTheDaemonConvergesAfterRestart() async throws {
        let database = try TestDatabase.make(migrated: false, maxConnections: 8)
        let setup = try await Setup(databaseURL: database.url, pool: database.pool)
        let first = try setup.daemon()
        try setup.stream(0..<2500)
        first.send(SIGKILL)
        #expect(first.wait(timeout: 10) == 128 + SIGKILL)
        try setup.stream(2500..<5000)
        let second = try setup.daemon()
        #expect(try await setup.converged(), "differences: \((try? setup.differences()) ?? []); log: \(second.output.suffix(2000))")
        #expect(try setup.ledger.verify().isEmpty)
        second.send(SIGTERM)
        #expect(second.wait(timeout: 20) == 0, "SIGTERM ends the daemon cleanly")
        await setup.simulator.stop()
    }

    @Test func threeReplicasShareTheWorkAndSurviveOneDying() async throws {
        let database = try TestDatabase.make(migrated: false, maxConnections: 8)
        let setup = try await Setup(databaseURL: database.url, pool: database.pool)
        let replicas = try (0..<3).map { _ in try setup.daemon() }
        try setup.stream(0..<1500)
        replicas[0].send(SIGKILL)
        replicas[0].wait(timeout: 10)
        try setup.stream(1500..<3000)
        #expect(try await setup.converged(), "differences: \((try? setup.differences()) ?? [])")
        #expect(try setup.ledger.verify().isEmpty)
        for replica in replicas.dropFirst() {
            replica.send(SIGTERM)
            #expect(replica.wait(timeout: 20) == 0)
        }
        await setup.simulator.stop()
    }

    @Test func theDaemonRidesOutADatabaseRestart() async throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("omnistock-dbfault-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cluster = try EmbeddedCluster(directory: directory)
        try cluster.start(extraSettings: ["fsync": "off"])
        defer { try? cluster.stop() }
        let pool = PostgresPool(conninfo: cluster.url(), maxConnections: 4)
        let setup = try await Setup(databaseURL: cluster.url(), pool: pool)
        let daemon = try setup.daemon()
        try setup.stream(0..<500)
        try cluster.stop()
        try await Task.sleep(for: .seconds(3))
        try cluster.start(extraSettings: ["fsync": "off"])
        try setup.stream(500..<1000)
        #expect(try await setup.converged(), "differences: \((try? setup.differences()) ?? []); log: \(daemon.output.suffix(2000))")
        #expect(try setup.ledger.verify().isEmpty)
        daemon.send(SIGTERM)
        #expect(daemon.wait(timeout: 20) == 0)
        await setup.simulator.stop()
    }
}
