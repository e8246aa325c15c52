import ChannelSimulators
import Foundation
import Ledger
import Testing
import TestSupport

/// The daemon under faults: killed with SIGKILL mid-stream, several replicas with one dying, the
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

    @Test func threeReplicasShareTheWorkAndSurviveOneDying() async throws {
        let database = try TestDatabase.make(migrated: false, maxConnections: 8)
        let setup = try await Setup(databaseURL: database.url, pool: database.pool)
        let replicas = try (0..<3).map { _ in try setup.daemon() }
        try setup.stream(0..<1500)
        replicas[0].send(SIGKILL)
        replicas[0].wait(timeout: 10)
        try setup.stream(1500..<3000)
        #expect(try await setup.converged(), "differences: \((try? setup.differences()) ?? [])")
        #expect(try setup.ledger.verify().isEmpty)
        for replica in replicas.dropFirst() {
            replica.send(SIGTERM)
            #expect(replica.wait(timeout: 20) == 0)
        }
        await setup.simulator.stop()
    }
}
