import Dispatch
import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

@Suite struct MigrationTests {
    @Test func migratingTwiceAppliesNothingTheSecondTime() throws {
        let database = try TestDatabase.make(migrated: false)
        let migrator = Migrator(pool: database.pool)
        #expect(try migrator.currentVersion() == 0)
        #expect(try migrator.migrate() == Migration.all.map(\.version))
        #expect(try migrator.migrate() == [])
        #expect(try migrator.currentVersion() == Migration.latestVersion)
    }

    /// Migration 24 makes each movement's and reservation's level its parent. A movement written by hand without its
    /// level does not stop the upgrade: the level is made empty, and `verify` still reports the difference.
    @Test func aMovementWithoutItsLevelGetsAnEmptyLevelOnUpgrade() throws {
        let database = try TestDatabase.make(migrated: false)
        _ = try Migrator(pool: database.pool, migrations: Migration.all.filter { $0.version < 24 }).migrate()
        try database.pool.withConnection {
            try $0.execute(
                """
                INSERT INTO skus (sku, name) VALUES ('MUG', 'mug');
                INSERT INTO locations (code, name, kind) VALUES ('wh', 'wh', 'warehouse');
                INSERT INTO movements (sku, location, delta, reason, idempotency_key) VALUES ('MUG', 'wh', 3, 'receipt', 'by-hand')
                """)
        }
        #expect(try Migrator(pool: database.pool).migrate() == Migration.all.map(\.version).filter { $0 >= 24 })
        let level = try database.pool.query("SELECT on_hand, reserved FROM levels WHERE sku = 'MUG' AND location = 'wh'") {
            try $0.map { [try $0.decode(Int.self, at: 0), try $0.decode(Int.self, at: 1)] }
        }
        #expect(level == [[0, 0]])
        let mismatches = try StockLedger(pool: database.pool).verify()
        #expect(mismatches.map(\.movementsOnHand) == [3])
    }

    @Test func concurrentMigrationsApplyEachVersionOnce() throws {
        let database = try TestDatabase.make(migrated: false, maxConnections: 6)
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            let pool = PostgresPool(conninfo: database.url, maxConnections: 1)
            do { results.add(try Migrator(pool: pool).migrate()) } catch { results.fail(error) }
        }
        #expect(results.errors.isEmpty, "\(results.errors)")
        #expect(results.applied.flatMap { $0 }.sorted() == Migration.all.map(\.version), "each version applied by exactly one run")
        let recorded = try database.pool.query("SELECT count(*) FROM schema_migrations") { try $0[0].decode(Int.self, at: 0) }
        #expect(recorded == Migration.all.count)
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var applied: [[Int]] = []
    private(set) var errors: [any Error] = []
    func add(_ versions: [Int]) { lock.withLock { applied.append(versions) } }
    func fail(_ error: any Error) { lock.withLock { errors.append(error) } }
}
