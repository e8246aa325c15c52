import Foundation
import PostgresClient

/// `pgbench` from the PostgreSQL installation, run against the same database as the figures it is compared with.
struct PGBench {
    let binary: String
    /// The database, as a libpq URL (pgbench takes it where a database name goes).
    let conninfo: String

    init(binDirectory: URL, conninfo: String) {
        binary = binDirectory.appendingPathComponent("pgbench").path
        self.conninfo = conninfo
    }

    /// Creates pgbench's tables at `scale` (scale 1 = 100,000 accounts).
    func initialize(scale: Int) throws {
        _ = try run(["-i", "-q", "-s", String(scale)])
    }

    /// TPS of `pgbench -N` (no updates of tellers and branches) with `clients` clients for `seconds`.
    func simpleUpdateTPS(clients: Int, seconds: Int) throws -> Double {
        let output = try run(["-N", "-n", "-c", String(clients), "-j", String(min(clients, 2)), "-T", String(seconds)])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let tps = Double(line.dropFirst(6).prefix { $0 != " " })
        else { throw BenchError(message: "cannot read pgbench output: \(output.suffix(300))") }
        return tps
    }

    private func run(_ arguments: [String]) throws -> String {
        let outcome = try ToolRunner.run(binary, arguments + [conninfo])
        guard outcome.status == 0 else { throw BenchError(message: "pgbench failed: \(outcome.output.suffix(400))") }
        return outcome.output
    }
}

/// A benchmark that could not run.
package struct BenchError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
