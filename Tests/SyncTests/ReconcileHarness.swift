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

/// A ledger, channels served by local simulators, a reconcile engine over them and, on demand, a sync worker.
final class ReconcileHarness: @unchecked Sendable {
    let fixture: LedgerFixture
    let client = CurlHTTPClient()
    private(set) var endpoints: [ChannelEndpoint] = []
    private var stops: [@Sendable () async -> Void] = []
    private var worker: Daemon?
    var ledger: StockLedger { fixture.ledger }
    var pool: PostgresPool { fixture.database.pool }
    static let store = LedgerFixture.store
    static let warehouse = LedgerFixture.warehouse

    init(skus: [String] = ["TSHIRT-RED-M", "MUG", "CAP"]) throws {
        fixture = try LedgerFixture(skus: skus, maxConnections: 16)
    }

    /// A store endpoint (omnistock-json) serving `locations`.
    func addStore(_ code: String = "pos", locations: [String] = [store], pageSize: Int = 500) async throws -> OmnistockJSONSimulator {
        let simulator = OmnistockJSONSimulator(token: "\(code)-token", webhookSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        _ = try await simulator.start()
        let channel = OmnistockJSONChannel(
            configuration: OmnistockJSONConfiguration(baseURL: simulator.baseURL, token: "\(code)-token", pageSize: pageSize), client: client)
        try add(code, channel: channel, locations: locations, stop: { await simulator.stop() })
        return simulator
    }

    /// A WooCommerce shop selling the pooled stock of `locations`.
    func addWooCommerce(
        _ code: String, locations: [String] = [warehouse], unmanaged: UntrackedStockPolicy = .enable
    ) async throws -> WooCommerceSimulator {
        let simulator = WooCommerceSimulator(consumerKey: "ck", consumerSecret: "cs", webhookSecret: "secret")
        _ = try await simulator.start()
        let channel = WooCommerceChannel(
            configuration: WooCommerceConfiguration(siteURL: simulator.baseURL, consumerKey: "ck", consumerSecret: "cs", unmanaged: unmanaged),
            client: client)
        try add(code, channel: channel, locations: locations, stop: { await simulator.stop() })
        return simulator
    }

    /// An Allegro account selling the pooled stock of `locations`.
    func addAllegro(_ code: String, locations: [String] = [warehouse]) async throws -> AllegroSimulator {
        let simulator = AllegroSimulator(clientID: "client", clientSecret: "secret", refreshToken: "refresh-0")
        _ = try await simulator.start()
        let channel = AllegroChannel(
            configuration: AllegroConfiguration(
                apiURL: simulator.baseURL, tokenURL: simulator.baseURL + "/auth/oauth/token", clientID: "client", clientSecret: "secret",
                refreshToken: "refresh-0"),
            client: client)
        try add(code, channel: channel, locations: locations, stop: { await simulator.stop() })
        return simulator
    }

    /// A PrestaShop shop selling the pooled stock of `locations`.
    func addPrestaShop(
        _ code: String, locations: [String] = [warehouse], unmanaged: UntrackedStockPolicy = .enable
    ) async throws -> PrestaShopSimulator {
        let simulator = PrestaShopSimulator(key: "PRESTASHOPKEY")
        _ = try await simulator.start()
        let channel = PrestaShopChannel(
            configuration: PrestaShopConfiguration(shopURL: simulator.baseURL, key: "PRESTASHOPKEY", unmanaged: unmanaged), client: client)
        try add(code, channel: channel, locations: locations, stop: { await simulator.stop() })
        return simulator
    }

    /// An eMAG seller account selling the pooled stock of `locations`, paced as in production.
    func addEmag(_ code: String, locations: [String] = [warehouse]) async throws -> EmagSimulator {
        let simulator = EmagSimulator(username: "seller", password: "pass")
        _ = try await simulator.start()
        let channel = EmagChannel(
            configuration: EmagConfiguration(apiURL: simulator.baseURL + "/api-3", username: "seller", password: "pass"), client: client)
        try add(code, channel: channel, locations: locations, stop: { await simulator.stop() })
        return simulator
    }

    /// An Erli shop selling the pooled stock of `locations`; accepted writes show after `applyDelay` seconds.
    func addErli(_ code: String, locations: [String] = [warehouse], applyDelay: TimeInterval = 0) async throws -> ErliSimulator {
        let simulator = ErliSimulator(apiKey: "erli-key", applyDelay: applyDelay)
        _ = try await simulator.start()
        let channel = ErliChannel(configuration: ErliConfiguration(apiURL: simulator.baseURL, apiKey: "erli-key"), client: client)
        try add(code, channel: channel, locations: locations, stop: { await simulator.stop() })
        return simulator
    }

    /// A Mirakl shop selling the pooled stock of `locations`; OF24's once-a-minute limit is lifted in the simulator and the
    /// lane, so that tests need not wait a minute between pushes.
    func addMirakl(_ code: String, locations: [String] = [warehouse]) async throws -> MiraklSimulator {
        let simulator = MiraklSimulator(apiKey: "\(code)-key", offerImportInterval: 0)
        _ = try await simulator.start()
        let channel = MiraklChannel(configuration: MiraklConfiguration(instanceURL: simulator.baseURL, apiKey: "\(code)-key"), client: client)
        try add(code, channel: channel, locations: locations, rateLimit: 50, stop: { await simulator.stop() })
        return simulator
    }

    /// A Shopify shop with one location, mapped from `warehouse`.
    func addShopify(_ code: String) async throws -> ShopifySimulator {
        let simulator = ShopifySimulator(accessToken: "shpat_1", webhookSecret: "secret")
        _ = try await simulator.start()
        let channel = ShopifyChannel(
            configuration: ShopifyConfiguration(
                shopURL: simulator.baseURL, accessToken: "shpat_1", locations: [Self.warehouse: simulator.locations[0]]),
            client: client)
        try add(code, channel: channel, locations: [Self.warehouse], stop: { await simulator.stop() })
        return simulator
    }

    private func add(
        _ code: String, channel: any Channel, locations: [String], rateLimit: Double? = nil, stop: @escaping @Sendable () async -> Void
    ) throws {
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: code, kind: type(of: channel).kind, modelsLocations: channel.modelsLocations, locations: locations
            ).declaring(channel.capabilities))
        endpoints.append(
            ChannelEndpoint(code: code, channel: channel, lane: LaneSettings(rateLimit: rateLimit, backoff: Backoff(base: 0.05, cap: 0.5))))
        stops.append(stop)
    }

    func engine(distances: [String: [String: Int]] = [:]) -> ReconcileEngine {
        ReconcileEngine(pool: pool, ledger: ledger, endpoints: endpoints, distances: distances)
    }

    func reconcile(_ channel: String? = nil, dryRun: Bool = false, distances: [String: [String: Int]] = [:]) async throws -> ReconcileReport {
        try await engine(distances: distances).run(channel: channel, dryRun: dryRun, trigger: .cli)
    }

    /// Starts a fresh worker pushing to every channel (and reading the orders of channels that poll them every
    /// `orderPollInterval` seconds, when given).
    func startWorker(orderPollInterval: Double? = nil) {
        let worker = Daemon(
            pool: pool, ledger: ledger, endpoints: endpoints,
            settings: SyncSettings(
                expiryInterval: 0.2, inboxScanInterval: 0.2, shutdownGrace: 2, leaderCheckInterval: 0.2, orderPollInterval: orderPollInterval))
        worker.start()
        self.worker = worker
    }

    func stopWorker() async {
        await worker?.stop()
        worker = nil
    }

    func shutdown() async {
        await stopWorker()
        for stop in stops { await stop() }
    }

    /// Targets whose latest value has not been pushed yet.
    func unpushed() throws -> Int {
        try fixture.scalar("SELECT count(*) FROM outbox WHERE pushed_version IS DISTINCT FROM wanted_version")
    }

    /// Polls `condition` until it holds or `timeout` passes.
    func eventually(timeout: Double = 15, _ condition: () throws -> Bool) async rethrows -> Bool {
        try await TestSupport.eventually(timeout: timeout, interval: .milliseconds(20), condition)
    }

    /// What the ledger says `channel` should show for `sku` in `scope`.
    func expected(_ channel: String, _ sku: String, _ scope: String) throws -> Int {
        try ledger.channelValue(channel: channel, sku: sku, scope: scope)
    }
}
