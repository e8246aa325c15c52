import ChannelSimulators
import Foundation
import Ledger
import TestSupport
import Testing

extension FaultTests {
    /// The store endpoint misbehaves at random while thousands of changes stream in: about 30 % of requests
    /// answered `500`, some held longer than the daemon's 1 s request timeout, and storms of `429` with
    /// `Retry-After`. Once it behaves again, the endpoint converges on the ledger without anyone's help,
    /// the ledger is consistent, nothing is oversold and the daemon is still running.
    @Test func aChaoticEndpointConvergesOnceItBehaves() async throws {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        let database = try TestDatabase.make(migrated: false, maxConnections: 8)
        let setup = try await Setup(databaseURL: database.url, pool: database.pool, channelTimeout: "1s")
        setup.simulator.setChaos(
            SimulatorChaos(
                seed: seed, failure: 0.3, hang: 0.05, hangDuration: .milliseconds(1500), storm: 0.02, stormLength: 5, retryAfter: 1))
        let daemon = try setup.daemon()
        // Batches of 100 changes from two writers racing for the same SKUs, 300 ms apart: at least 3,000
        // changes, and on until every kind of misbehaviour has struck a few times (at most 60 s).
        let deadline = Date().addingTimeInterval(60)
        var next = 0
        while next < 3000 || !(setup.simulator.chaosTally.map(Self.sawEnoughChaos) ?? false), Date() < deadline {
            try await setup.streamConcurrently([next..<next + 50, next + 50..<next + 100])
            next += 100
            try await Task.sleep(for: .milliseconds(300))
        }
        let tally = try #require(setup.simulator.chaosTally)
        setup.simulator.setChaos(nil)
        print("chaos seed \(seed): \(next) changes, \(tally)")
        #expect(Self.sawEnoughChaos(tally), "every kind of misbehaviour struck: \(tally)")
        // The share of failures is checked on a fixed seed in SimulatorChaosTests: the few dozen requests
        // of this run make it a matter of luck here.

        #expect(try await setup.converged(), "differences: \((try? setup.differences()) ?? []); log: \(daemon.output.suffix(2000))")
        #expect(try setup.ledger.verify().isEmpty)
        #expect(try setup.oversoldLevels() == 0, "no level has more reserved than on hand, or less than nothing on hand")
        #expect(daemon.isRunning, "the daemon survived the chaos")
        daemon.send(SIGTERM)
        #expect(daemon.wait(timeout: 20) == 0, "SIGTERM ends the daemon cleanly")
        await setup.simulator.stop()
    }

    /// Whether failures, hangs and throttling have each struck at least three times.
    static func sawEnoughChaos(_ tally: SimulatorChaos.Tally) -> Bool {
        tally.failures >= 3 && tally.hangs >= 3 && tally.throttled >= 3
    }
}
