import Foundation
import Ledger
import PostgresClient

/// A fresh, migrated database in the test cluster that `.ci/test` starts.
///
/// The cluster's URL comes from `OMNISTOCK_TEST_DATABASE_URL`. The first call migrates a template
/// database; each test then gets its own copy, so tests run in parallel without sharing state.
package struct TestDatabase: Sendable {
    /// libpq URL of this test's database.
    package let url: String
    /// A pool on it.
    package let pool: PostgresPool

    /// The test cluster's server URL (its `postgres` database).
    package static var serverURL: String {
        guard let url = ProcessInfo.processInfo.environment["OMNISTOCK_TEST_DATABASE_URL"] else {
            fatalError("OMNISTOCK_TEST_DATABASE_URL is not set: run the tests with `bash .ci/test`")
        }
        return url
    }

    /// Creates an empty database (no migrations) when `migrated` is false.
    package static func make(migrated: Bool = true, maxConnections: Int = 8) throws -> TestDatabase {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let server = PostgresPool(conninfo: serverURL, maxConnections: 1)
        if migrated {
            try Template.shared.ensure(server: server)
            try server.execute("CREATE DATABASE \(name) TEMPLATE \(Template.name)")
        } else {
            try server.execute("CREATE DATABASE \(name) TEMPLATE template0")
        }
        let url = databaseURL(name)
        return TestDatabase(url: url, pool: PostgresPool(conninfo: url, maxConnections: maxConnections))
    }

    /// The URL of another database in the test cluster.
    static func databaseURL(_ database: String) -> String {
        serverURL.replacingOccurrences(of: "postgresql:///postgres", with: "postgresql:///\(database)")
    }

    /// Builds the template database once per test process.
    final class Template: @unchecked Sendable {
        static let shared = Template()
        static let name = "omnistock_template"
        private let lock = NSLock()
        private var ready = false

        func ensure(server: PostgresPool) throws {
            lock.lock()
            defer { lock.unlock() }
            guard !ready else { return }
            try server.execute("DROP DATABASE IF EXISTS \(Self.name)")
            try server.execute("CREATE DATABASE \(Self.name) TEMPLATE template0")
            let pool = PostgresPool(conninfo: TestDatabase.databaseURL(Self.name), maxConnections: 1)
            try Migrator(pool: pool).migrate()
            pool.closeIdle()
            ready = true
        }
    }
}
