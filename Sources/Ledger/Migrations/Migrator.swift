import Logging
import PostgresClient

/// Applies pending migrations under a session advisory lock, so concurrent `migrate` runs
/// (two replicas starting at once, say) apply each migration exactly once.
package struct Migrator: Sendable {
    /// Key of the advisory lock held while migrating.
    static let lockKey: Int64 = 0x6F6D_6E69_6D69_6772  // "omnimigr"

    let pool: PostgresPool
    let migrations: [Migration]
    let logger: Logger

    package init(pool: PostgresPool, migrations: [Migration] = Migration.all, logger: Logger = Logger(label: "omnistock.migrate")) {
        self.pool = pool
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Applies every migration not yet recorded; returns the versions applied by this call.
    @discardableResult
    package func migrate() throws -> [Int] {
        try pool.withSessionConnection { connection in
            try connection.query("SELECT pg_advisory_lock($1)", [Self.lockKey])
            defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey]) }
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let applied = Set(try connection.query("SELECT version FROM schema_migrations").map { try $0.decode(Int.self, at: 0) })
            var newlyApplied: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                try connection.transaction { transaction in
                    try transaction.execute(migration.sql)
                    try transaction.query(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name])
                }
                newlyApplied.append(migration.version)
            }
            return newlyApplied
        }
    }

    /// The highest applied version, or 0 for an empty database.
    package func currentVersion() throws -> Int {
        try pool.query("SELECT to_regclass('schema_migrations') IS NOT NULL") { rows in
            try rows[0].decode(Bool.self, at: 0)
        } ? pool.query("SELECT COALESCE(max(version), 0) FROM schema_migrations") { try $0[0].decode(Int.self, at: 0) } : 0
    }
}
