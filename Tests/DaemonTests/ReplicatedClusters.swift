import Foundation
import PostgresClient

/// A primary and a synchronous streaming standby, each a cluster on its own Unix socket, as an operator sets
/// them up: the primary commits only once the standby has the commit (`synchronous_commit = on`,
/// `synchronous_standby_names` naming the standby), the standby is a `pg_basebackup -R` copy of it.
///
/// Failover follows what Patroni does in its default (non-strict) synchronous mode: the primary is gone, the
/// standby is promoted, and since no standby is left to wait for, the new primary commits on its own
/// (https://patroni.readthedocs.io/en/latest/replication_modes.html#synchronous-mode). The settings are given on
/// the command line, not written into `postgresql.conf`, so the copy does not inherit the primary's wait.
final class ReplicatedClusters: Sendable {
    static let standbyName = "omnistock_standby"

    let primary: EmbeddedCluster
    let standby: EmbeddedCluster
    private let root: URL

    init() throws {
        root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("omnistock-ha-\(UUID().uuidString.prefix(8))")
        primary = try EmbeddedCluster(directory: root.appendingPathComponent("primary"))
        standby = try EmbeddedCluster(directory: root.appendingPathComponent("standby"))
    }

    /// The URL a daemon is given: both servers, the one that accepts writes chosen at each connect.
    var failoverURL: String {
        "postgresql:///postgres?host=\(primary.socketPath),\(standby.socketPath)&user=omnistock&target_session_attrs=read-write"
    }

    /// Starts the primary, copies it into the standby and starts that; returns once the standby streams synchronously.
    /// `standbyWaitsToo` gives the standby the primary's `synchronous_standby_names`, as a copy of a hand-written
    /// `postgresql.conf` would have: once promoted, it waits for a standby of its own that does not exist.
    func start(standbyWaitsToo: Bool = false) throws {
        try primary.start(extraSettings: [
            "fsync": "off", "wal_level": "replica", "max_wal_senders": "4",
            "synchronous_commit": "on", "synchronous_standby_names": "'\(Self.standbyName)'",
        ])
        try FileManager.default.createDirectory(at: standby.directory, withIntermediateDirectories: true)
        if geteuid() == 0 {
            try FileManager.default.setAttributes(
                [.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"], ofItemAtPath: standby.directory.path)
        }
        try runAsServerUser([
            primary.binDirectory.appendingPathComponent("pg_basebackup").path, "-D", standby.dataPath, "-X", "stream", "-R",
            "-d", "host=\(primary.socketPath) user=omnistock application_name=\(Self.standbyName)",
        ])
        try standby.start(extraSettings: ["fsync": "off", "hot_standby": "on"])
        // In postgresql.auto.conf rather than on the command line, which would outrank the operator's ALTER SYSTEM.
        if standbyWaitsToo { try setWaitForAStandby("'\(Self.standbyName)'") }
        let pool = PostgresPool(conninfo: primary.url(), maxConnections: 1, acquireTimeout: 5)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let state = try pool.query("SELECT sync_state FROM pg_stat_replication WHERE application_name = $1", [Self.standbyName]) { rows in
                rows.count > 0 ? try rows[0].decode(String.self, at: 0) : nil
            }
            if state == "sync" { return }
            usleep(100_000)
        }
        throw ReplicationFailure(message: "the standby did not become a synchronous standby within 30 s")
    }

    /// Kills the primary without a shutdown checkpoint (`-m immediate`, as a crash) and promotes the standby.
    func failOver() throws {
        try primary.stopServer(mode: "immediate")
        try runAsServerUser([primary.binDirectory.appendingPathComponent("pg_ctl").path, "-D", standby.dataPath, "promote", "-w", "-t", "60"])
    }

    /// Lets the promoted standby commit without a standby of its own, as an operator (or Patroni) does.
    func liftTheWaitForAStandby() throws {
        try setWaitForAStandby("''")
    }

    private func setWaitForAStandby(_ names: String) throws {
        let pool = PostgresPool(conninfo: standby.url(), maxConnections: 1, acquireTimeout: 5)
        try pool.execute("ALTER SYSTEM SET synchronous_standby_names = \(names)")
        try pool.execute("SELECT pg_reload_conf()")
    }

    /// Stops both servers and removes their directories.
    func remove() {
        try? primary.stopServer(mode: "immediate")
        try? standby.stopServer(mode: "immediate")
        try? FileManager.default.removeItem(at: root)
    }

    private func runAsServerUser(_ command: [String]) throws {
        try EmbeddedCluster.runAsServerUser(command[0], Array(command.dropFirst()))
    }

    struct ReplicationFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
