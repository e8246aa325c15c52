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
import Testing

/// DESIGN.md §7, decreases first: under a channel's rate limit, a sale made while a backlog of increases is
/// being pushed reaches the channel before that backlog drains (a late decrease oversells; a late increase
/// only delays a sale).
@Suite(.serialized) struct DecreasesFirstTests {
    static let offers = 40

    /// Allegro limits offer PATCHes per seller; the simulator's limit is lowered to 10/s so that 40 offers take
    /// seconds, and the lane is set a little below it, as an operator sets `rate_limit` (at the limit exactly, jitter
    /// between the lane's clock and the channel's earns a 429, which pauses the lane). `batchSize` 1 isolates the claim order; 100 (the old default) also needs the lane to cap its
    /// claims at the one offer a PATCH carries, or the sale waits for the whole claimed batch.
    @Test(arguments: [1, 100])
    func aSaleDuringABacklogOfIncreasesReachesTheChannelFirst(batchSize: Int) async throws {
        let fixture = try LedgerFixture(maxConnections: 8)
        let simulator = AllegroSimulator(clientID: "client", clientSecret: "secret", refreshToken: "refresh-0", patchesPerMinute: 600)
        try await simulator.start()
        let client = CurlHTTPClient()
        let warehouse = LedgerFixture.warehouse
        let skus = (0..<Self.offers).map { String(format: "BACKLOG-%03d", $0) }
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "allegro", kind: "allegro", modelsLocations: false, locations: [warehouse]))
        for (index, sku) in skus.enumerated() {
            try fixture.catalog.upsertSKU(sku)
            simulator.addOffer(id: "offer-\(index)", sku: sku, available: 5)
            _ = try fixture.ledger.receive(sku: sku, location: warehouse, quantity: 5, key: LedgerFixture.key())
        }
        _ = try fixture.database.pool.execute(
            """
            INSERT INTO listings (channel, sku, location_scope, external_id)
            SELECT 'allegro', sku, '*', 'offer-' || (ordinality - 1) FROM unnest($1::text[]) WITH ORDINALITY AS s(sku)
            """, [skus])
        // The channel already shows what the ledger says.
        _ = try fixture.database.pool.execute("UPDATE outbox SET pushed_version = wanted_version, pushed_value = 5 WHERE channel = 'allegro'")
        // A bulk change raises every SKU: a backlog of increases, the last SKU's the newest.
        for sku in skus {
            _ = try fixture.ledger.receive(sku: sku, location: warehouse, quantity: 10, key: LedgerFixture.key())
        }
        let channel = AllegroChannel(
            configuration: AllegroConfiguration(
                apiURL: simulator.baseURL, tokenURL: simulator.baseURL + "/auth/oauth/token", clientID: "client", clientSecret: "secret",
                refreshToken: "refresh-0"), client: client)
        let worker = Daemon(
            pool: fixture.database.pool, ledger: fixture.ledger,
            endpoints: [
                ChannelEndpoint(
                    code: "allegro", channel: channel,
                    lane: LaneSettings(
                        batchSize: batchSize, concurrency: 1, rateLimit: 9, backoff: Backoff(base: 0.05, cap: 0.5)))
            ],
            settings: SyncSettings(expiryInterval: 0.2, inboxScanInterval: 0.2, shutdownGrace: 2, leaderCheckInterval: 0.2))
        worker.start()
        func patches() -> Int { simulator.requests.filter { $0.method == "PATCH" }.count }
        func raised() -> Int { (0..<Self.offers).filter { simulator.offer("offer-\($0)")?.available == 15 }.count }
        #expect(await eventually(timeout: 10, interval: .milliseconds(10)) { patches() >= 3 }, "the backlog started")

        // A sale of the newest SKU in the backlog: 15 → 13 in the ledger.
        let sold = Self.offers - 1
        _ = try fixture.ledger.sell(sku: skus[sold], location: warehouse, quantity: 2, key: LedgerFixture.key())
        // Polled every 10 ms: what the backlog pushed is counted as the sale arrives, not a poll later.
        let arrived = await eventually(timeout: 20, interval: .milliseconds(10)) { simulator.offer("offer-\(sold)")?.available == 13 }
        let raisedWhenTheSaleArrived = raised()
        #expect(arrived, "the sale reached the channel")
        #expect(
            raisedWhenTheSaleArrived <= Self.offers / 2,
            "the sale arrived after \(raisedWhenTheSaleArrived) of \(Self.offers) backlog offers had been pushed")
        // The backlog still drains completely.
        #expect(await eventually(timeout: 20) { raised() == Self.offers - 1 }, "\(raised()) raised, \(simulator.refusedPatches) PATCHes refused")
        await worker.stop()
        await simulator.stop()
        client.shutdown()
    }
}
