import ChannelSimulators
import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// The daemon behind PgBouncer in transaction pooling mode (the Debian package; https://www.pgbouncer.org/features.html
/// lists what transaction pooling breaks: session-level LISTEN and advisory locks, and — before 1.21 — protocol-level
/// prepared statements). `database.url` goes through PgBouncer; `database.direct_url` reaches PostgreSQL itself for
/// the session-level parts (the leader's and replicas' advisory locks, LISTEN, the migration lock).
@Suite(.serialized) struct PgBouncerTests {
    @Test func theDaemonWorksBehindATransactionPooler() async throws {
        let database = try TestDatabase.make(migrated: false, maxConnections: 4)
        let bouncer = try PgBouncer(database: database)
        defer { bouncer.stop() }
        let pool = PostgresPool(conninfo: bouncer.url, directConninfo: database.url, maxConnections: 4, acquireTimeout: 5)
        let setup = try await FaultTests.Setup(databaseURL: bouncer.url, directURL: database.url, pool: pool)
        let daemon = try setup.daemon()
        defer { if daemon.isRunning { daemon.send(SIGKILL) } }
        let port = try #require(try await daemon.listeningPort(), "log: \(daemon.output.suffix(2000))")
        try setup.stream(0..<600)
        let attempts = try await FaultTests.reserve(port: port, client: 0, for: 3)
        let adjusted = try await setup.persistentAdjustments(0..<20, to: "http://127.0.0.1:\(port)/webhooks/pos")

        #expect(
            attempts.filter { $0.status == 201 }.count > 10,
            "\(Dictionary(grouping: attempts, by: \.status).mapValues(\.count)); log: \(daemon.output.suffix(2000))")
        #expect(adjusted.allSatisfy { $0.status == 200 })
        let keys = (0..<20).map { "event:pos:adj-\($0):0" }
        #expect(try await setup.eventually(timeout: 30) { try setup.movements(keys: keys) == keys.count }, "the leader applied every webhook")
        #expect(try await setup.converged(timeout: 30), "differences: \((try? setup.differences()) ?? []); log: \(daemon.output.suffix(2000))")
        #expect(try setup.leaderLocks() == 1)
        #expect(try bouncer.transactionsServed() > 600, "the daemon's and the test's work went through PgBouncer")
        #expect(!daemon.output.contains("prepared statement"), "no named prepared statement crossed the pooler")
        #expect(try setup.ledger.verify().isEmpty)
        daemon.send(SIGTERM)
        #expect(daemon.wait(timeout: 20) == 0)
        await setup.simulator.stop()
    }
}
