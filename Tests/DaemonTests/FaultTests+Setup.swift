import ChannelSimulators
import Foundation
import Ledger
import PostgresClient
import TestSupport

extension FaultTests {
    /// A store endpoint, a database and a config file for daemons pointing at both.
    struct Setup {
        /// The store endpoint's webhook secret, also configured for the daemon's `pos` channel.
        static let webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        /// The admin API's write token.
        static let adminToken = "fault-admin-token"

        let simulator: OmnistockJSONSimulator
        let pool: PostgresPool
        let ledger: StockLedger
        let databaseURL: String
        let configPath: String

        /// Writes the config; `channelTimeout` bounds each push request (a hanging endpoint is given up on after it).
        /// `directURL` is written as `database.direct_url` (for a `databaseURL` that goes through PgBouncer).
        init(databaseURL: String, directURL: String? = nil, pool: PostgresPool, channelTimeout: String = "30s") async throws {
            simulator = OmnistockJSONSimulator(token: "t", webhookSecret: Self.webhookSecret)
            _ = try await simulator.start()
            self.pool = pool
            self.databaseURL = databaseURL
            ledger = StockLedger(pool: pool)
            configPath = NSTemporaryDirectory() + "omnistock-fault-\(UUID().uuidString.prefix(8)).toml"
            let database = directURL.map { "[database]\ndirect_url = \"\($0)\"\n" } ?? ""
            try
                (database + """
                    [server]
                    listen = "127.0.0.1:0"
                    request_timeout = "3s"
                    tokens = [{ token = "\(Self.adminToken)", scope = "write" }]
                    [sync]
                    safety_scan_interval = "1s"
                    max_backoff = "1s"
                    circuit_cooldown = "2s"
                    [[locations]]
                    code = "\(FaultTests.store)"
                    kind = "store"
                    click_and_collect = true
                    [[channels]]
                    code = "pos"
                    kind = "omnistock-json"
                    base_url = "\(simulator.baseURL)"
                    token = "t"
                    webhook_secrets = ["\(Self.webhookSecret)"]
                    locations = ["\(FaultTests.store)"]
                    batch_size = 25
                    timeout = "\(channelTimeout)"
                    """).write(toFile: configPath, atomically: true, encoding: .utf8)
            let migrate = try DaemonProcess.run(["migrate", "--config", configPath, "--database", databaseURL])
            guard migrate.status == 0 else { throw SetupFailure(output: migrate.output) }
            let catalog = Catalog(pool: pool)
            for sku in FaultTests.skus { try catalog.upsertSKU(sku) }
        }

        func daemon(openFileLimit: Int? = nil) throws -> DaemonProcess {
            try DaemonProcess(["serve", "--config", configPath, "--database", databaseURL], openFileLimit: openFileLimit)
        }

        /// The stock change number `index`, keyed by it: a receipt, a sale or a checkout reservation at the
        /// store, on SKUs taken in turn. Sales and reservations beyond what is available are refused.
        func change(_ index: Int) throws {
            let sku = FaultTests.skus[index % FaultTests.skus.count]
            do {
                switch index % 6 {
                case 2, 4:
                    _ = try ledger.sell(sku: sku, location: FaultTests.store, quantity: 1, key: "s\(index)")
                case 5:
                    _ = try ledger.reserve(ReservationRequest(sku: sku, location: FaultTests.store, quantity: 2, kind: .checkout), key: "v\(index)")
                default:
                    _ = try ledger.receive(sku: sku, location: FaultTests.store, quantity: 1 + index % 4, key: "r\(index)")
                }
            } catch LedgerError.insufficientStock {
                return
            }
        }

        /// Applies the changes numbered `range`, in order.
        func stream(_ range: Range<Int>) throws {
            for index in range { try change(index) }
        }

        /// Applies each range of changes on its own thread, all at once (racing for the same SKUs), off the
        /// cooperative pool so that the simulator in this process keeps answering.
        func streamConcurrently(_ ranges: [Range<Int>]) async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for range in ranges {
                    group.addTask { try await Self.offPool { try stream(range) } }
                }
                try await group.waitForAll()
            }
        }

        /// Runs blocking `work` on a Dispatch thread and resumes when it ends.
        static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
            try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(with: Result(catching: work)) }
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

        /// Levels that break the no-oversell invariant without being flagged by an accepted conflict.
        func oversoldLevels() throws -> Int {
            try pool.query(
                "SELECT count(*)::int FROM levels WHERE NOT oversold AND (on_hand < 0 OR reserved < 0 OR reserved > on_hand)"
            ) { try $0[0].decode(Int.self, at: 0) }
        }
    }

    struct SetupFailure: Error { var output: String }
}
