import Foundation
import PostgresClient
import TestSupport

/// A PgBouncer (the Debian package's `/usr/sbin/pgbouncer`) in transaction pooling mode in front of one test
/// database, listening on a Unix socket in its own directory. Settings: https://www.pgbouncer.org/config.html
final class PgBouncer: Sendable {
    static let executable = "/usr/sbin/pgbouncer"
    static let port = 6432

    let directory: URL
    let databaseName: String
    private let serverURL: URLComponents

    /// Starts PgBouncer for `database`; at most three server connections serve every client.
    init(database: TestDatabase) throws {
        guard let components = URLComponents(string: database.url),
            let socket = components.queryItems?.first(where: { $0.name == "host" })?.value
        else { throw Failure(message: "cannot read the test database URL \(database.url)") }
        serverURL = components
        databaseName = String(components.path.dropFirst())
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("omnistock-pgbouncer-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // trust still needs the user listed in auth_file (https://www.pgbouncer.org/config.html#auth_type).
        try #""omnistock" """#.write(to: directory.appendingPathComponent("users.txt"), atomically: true, encoding: .utf8)
        try """
        [databases]
        \(databaseName) = host=\(socket) dbname=\(databaseName) user=omnistock
        [pgbouncer]
        listen_addr =
        listen_port = \(Self.port)
        unix_socket_dir = \(directory.path)
        auth_type = trust
        auth_file = \(directory.path)/users.txt
        admin_users = omnistock
        pool_mode = transaction
        default_pool_size = 3
        max_client_conn = 200
        pidfile = \(directory.path)/pgbouncer.pid
        logfile = \(directory.path)/pgbouncer.log
        """.write(to: directory.appendingPathComponent("pgbouncer.ini"), atomically: true, encoding: .utf8)
        try run([Self.executable, "-d", directory.appendingPathComponent("pgbouncer.ini").path], handOver: true)
    }

    /// The URL of the test database through PgBouncer.
    var url: String { "postgresql:///\(databaseName)?host=\(directory.path)&port=\(Self.port)&user=omnistock" }

    /// Transactions PgBouncer has passed to the server for the test database (`SHOW STATS`, admin console).
    func transactionsServed() throws -> Int {
        let admin = "postgresql:///pgbouncer?host=\(directory.path)&port=\(Self.port)&user=omnistock"
        let output = try run(["/usr/bin/psql", admin, "-At", "-F", ",", "-c", "SHOW STATS"])
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            // database, total_xact_count, …
            if fields.first.map(String.init) == databaseName, fields.count > 1, let count = Int(fields[1]) { return count }
        }
        throw Failure(message: "no statistics for \(databaseName) in: \(output)")
    }

    func stop() {
        if let pid = try? String(contentsOf: directory.appendingPathComponent("pgbouncer.pid"), encoding: .utf8),
            let number = pid_t(pid.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            kill(number, SIGTERM)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs a tool; PgBouncer refuses to run as root, so as root it runs as `postgres`, which gets its directory.
    @discardableResult
    private func run(_ command: [String], handOver: Bool = false) throws -> String {
        if geteuid() == 0 && handOver {
            try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: directory.path)
            for file in ["users.txt", "pgbouncer.ini"] {
                try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: directory.appendingPathComponent(file).path)
            }
        }
        return try EmbeddedCluster.runAsServerUser(command[0], Array(command.dropFirst()))
    }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
