import ChannelSimulators
import Foundation
import Ledger
import TestSupport
import Testing

/// The daemon under faults: killed with SIGKILL mid-stream, several replicas with the leader dying, the
/// database down for 10 s under load (`FaultTests+DatabaseOutage.swift`), a chaotic endpoint
/// (`FaultTests+Chaos.swift`). Each ends with every endpoint value equal to the ledger's and `verify` clean.
@Suite(.serialized) struct FaultTests {
    static let store = "store-krakow"
    static let skus = (0..<40).map { "SKU-\($0)" }

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

    /// Three replicas share the pushing; the one holding the leader lock is killed mid-stream. Another must
    /// take the lock over and with it the leader-only jobs: here, applying webhooks from the inbox.
    @Test func threeReplicasShareTheWorkAndSurviveTheLeaderDying() async throws {
        let database = try TestDatabase.make(migrated: false, maxConnections: 8)
        let setup = try await Setup(databaseURL: database.url, pool: database.pool)
        let replicas = try (0..<3).map { _ in try setup.daemon() }
        try setup.stream(0..<1500)
        let leader = try #require(await Self.leader(among: replicas), "no replica became the leader")
        leader.send(SIGKILL)
        leader.wait(timeout: 10)
        let survivors = replicas.filter { $0 !== leader }
        try setup.stream(1500..<3000)
        #expect(await Self.leader(among: survivors) != nil, "a surviving replica takes the leader lock over")
        let port = try #require(try await survivors[0].listeningPort())
        let status = try await setup.simulator.sendWebhook(
            type: "stock.adjusted", data: ["sku": FaultTests.skus[0], "location": FaultTests.store, "delta": 1],
            to: "http://127.0.0.1:\(port)/webhooks/pos", id: "after-leader-died")
        #expect(status == 200)
        #expect(
            try await setup.eventually { try setup.movements(keys: ["event:pos:after-leader-died:0"]) == 1 },
            "the new leader applies webhooks from the inbox")
        #expect(try await setup.converged(), "differences: \((try? setup.differences()) ?? [])")
        #expect(try setup.ledger.verify().isEmpty)
        #expect(try setup.oversoldLevels() == 0)
        for replica in survivors {
            replica.send(SIGTERM)
            #expect(replica.wait(timeout: 20) == 0)
        }
        await setup.simulator.stop()
    }

    /// The replica whose log says it became the leader and has not said it stopped (waits up to 30 s).
    static func leader(among replicas: [DaemonProcess]) async -> DaemonProcess? {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let leading = replicas.filter { replica in
                let output = replica.output
                guard let became = output.range(of: "this replica is now the leader", options: .backwards) else { return false }
                return output.range(of: "this replica is no longer the leader", options: .backwards).map { $0.lowerBound < became.lowerBound } ?? true
            }
            if leading.count == 1 { return leading[0] }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}
