import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Ledger
import OmnistockDaemon
import PostgresClient
import Support
import Sync
import TestSupport

/// A ledger with a store endpoint (omnistock-json simulator) on channel `pos`, and a worker pushing to it.
final class SyncHarness: @unchecked Sendable {
    let fixture: LedgerFixture
    let simulator = OmnistockJSONSimulator(token: "pos-token", webhookSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    let client = CurlHTTPClient()
    private(set) var worker: Daemon!
    var ledger: StockLedger { fixture.ledger }
    static let store = LedgerFixture.store

    init(lane: LaneSettings = LaneSettings(backoff: Backoff(base: 0.05, cap: 0.5))) async throws {
        fixture = try LedgerFixture(maxConnections: 12)
        _ = try await simulator.start()
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "pos", kind: "omnistock-json", modelsLocations: true, locations: [Self.store]
            ).declaring(OmnistockJSONChannel.capabilities))
        let channel = OmnistockJSONChannel(
            configuration: OmnistockJSONConfiguration(
                baseURL: simulator.baseURL, token: "pos-token",
                webhookSecrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]),
            client: client)
        worker = Daemon(
            pool: fixture.database.pool, ledger: fixture.ledger, endpoints: [ChannelEndpoint(code: "pos", channel: channel, lane: lane)],
            settings: SyncSettings(expiryInterval: 0.2, inboxScanInterval: 0.2, shutdownGrace: 2, leaderCheckInterval: 0.2))
    }

    func start() { worker.start() }

    func shutdown() async {
        await worker.stop()
        await simulator.stop()
    }

    /// Level pushes (`PUT /levels`) the endpoint received.
    var levelPushes: Int { simulator.requests.filter { $0.method == "PUT" && $0.path.hasSuffix("/levels") }.count }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    /// Sleeps asynchronously: the pushes run on the same cooperative threads as the tests.
    func eventually(timeout: Double = 15, _ condition: () throws -> Bool) async rethrows -> Bool {
        try await TestSupport.eventually(timeout: timeout, interval: .milliseconds(20), condition)
    }

    /// What the store endpoint shows for `sku` at the store.
    func shown(_ sku: String) -> Int? { simulator.level(sku: sku, location: Self.store)?.available }

    /// What the ledger says the endpoint should show.
    func expected(_ sku: String) throws -> Int { try ledger.channelValue(channel: "pos", sku: sku, scope: Self.store) }
}
