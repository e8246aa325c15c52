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
