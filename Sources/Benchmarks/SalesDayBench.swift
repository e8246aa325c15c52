import ChannelVocabulary
import CurlHTTP
import Foundation
import Ledger
import Logging
import OmnistockDaemon
import PostgresClient
import Server
import ServiceLifecycle
import Sync

/// One policy played through the seeded sales day (issue 17): the real daemon (push lanes, webhook ingress, order
/// polling, sourcing) against five simulated channels and the store's till, buyers ordering only what their
/// channel shows at that moment. Counts oversold units (orders a channel accepted that the ledger could not cover:
/// `oversold` conflicts), hidden units (a channel showed fewer than a buyer wanted while the ledger had them),
/// units sold, and how long each channel's view differed from what the ledger wanted it to show.
struct SalesDayBench {
    /// How every channel decides what to show.
    struct Policy: Sendable {
        var name: String
        var buffer = 0
        var lagAware: LagAwareBuffer?
        var lastUnits: Int?
        /// Channels listed here keep the last units (priority 1; the rest 0).
        var keepsLastUnits: Set<SalesDayCounter> = []
    }

    /// What one policy did over the day, per counter.
    struct Outcome: Sendable {
        var accepted: [SalesDayCounter: Int] = [:]
        var oversold: [SalesDayCounter: Int] = [:]
        var hidden: [SalesDayCounter: Int] = [:]
        var refused: [SalesDayCounter: Int] = [:]
        /// Seconds each stretch of a channel's view differing from the ledger's wanted value lasted.
        var lags: [SalesDayCounter: [Double]] = [:]
        /// Stretches still open when the day was drained.
        var openLags = 0
        /// Targets still writing less than the ledger's value for unseen sales when the day was drained, and the units.
        var unseenAtEnd = (targets: 0, units: 0)

        func sold(_ counter: SalesDayCounter) -> Int { (accepted[counter] ?? 0) - (oversold[counter] ?? 0) }
        var totalOversold: Int { oversold.values.reduce(0, +) }
        var totalHidden: Int { hidden.values.reduce(0, +) }
        var totalSold: Int { SalesDayCounter.allCases.map(sold).reduce(0, +) }
    }

    /// Warnings only: every imported order would be a line.
    static let logger = {
        var logger = Logger(label: "omnistock.bench")
        logger.logLevel = .warning
        return logger
    }()

    static let warehouse = "day-wh"
    static let store = "day-store"
    /// Seconds of a wall-clock window Erli takes to show an accepted stock write (compressed from minutes).
    static let erliVisibilityDelay = 5.0
    /// The leader's order poll of Allegro and Erli (a 30 s default, compressed).
    static let orderPollInterval = 0.5

    let pool: PostgresPool
    let ledger: StockLedger
    let plan: SalesDayPlan
    let log: @Sendable (String) -> Void

    func run(_ policy: Policy, row: Int) async throws -> Outcome {
        let prefix = "D\(row)-"
        let skus = (0..<plan.parameters.skus).map { String(format: "\(prefix)%04d", $0) }
        try prepareLedger(skus: skus)
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let webhooks = SalesDayShop.WebhookAddress()
        let shops = try await openShops(row: row, client: client, webhooks: webhooks)
        for shop in shops {
            let stock = shop.location == Self.store ? plan.storeStock : plan.warehouseStock
            let listings = shop.seed(zip(skus, stock).map { (sku: $0, units: $1) })
            try defineChannel(shop, policy: policy, listings: listings)
        }
        let daemon = Daemon(
            pool: pool, ledger: ledger, endpoints: shops.map { ChannelEndpoint(code: $0.code, channel: $0.channel) },
            settings: SyncSettings(
                inboxScanInterval: 1, leaderCheckInterval: 1, orderPollInterval: Self.orderPollInterval, holdRefreshInterval: 1),
            server: ServerSettings(port: 0, tokenRateLimit: nil, channelRateLimit: nil), logger: Self.logger)
        let group = daemon.makeServiceGroup(logger: Self.logger) { webhooks.set(port: $0) }
        let serving = Task { try await group.run() }
        defer { serving.cancel() }
        let codes = shops.map(\.code)
        log("sales day \(policy.name): first sync …")
        try await waitUntil(deadline: 120, "the first sync") { try pending(codes) == 0 }

        var outcome = Outcome()
        let watch = LagWatch(pool: pool, shops: shops, skus: skus)
        let watching = Task { await watch.run() }
        log("sales day \(policy.name): \(plan.arrivals.count) buyers over \(Int(plan.parameters.seconds)) s …")
        let started = LatencyProbe.now()
        var deliveries: [Task<Void, Never>] = []
        for (index, arrival) in plan.arrivals.enumerated() {
            let wait = started + arrival.at - LatencyProbe.now()
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
            let sku = skus[arrival.sku]
            guard let shop = shops.first(where: { $0.counter == arrival.counter }) else {
                try walkIn(sku: sku, quantity: arrival.quantity, key: "\(prefix)walk-in-\(index)", into: &outcome)
                continue
            }
            let (accepted, deliver) = shop.buy(sku, arrival.quantity, "\(prefix)\(index)")
            if accepted {
                outcome.accepted[shop.counter, default: 0] += arrival.quantity
                if let deliver { deliveries.append(Task { await deliver() }) }
            } else if try ledgerCouldSell(shop, sku: sku, quantity: arrival.quantity) {
                outcome.hidden[shop.counter, default: 0] += arrival.quantity
            } else {
                outcome.refused[shop.counter, default: 0] += arrival.quantity
            }
        }
        for delivery in deliveries { await delivery.value }
        log("sales day \(policy.name): draining orders …")
        // Polled feeds need a few polls after the last sale; then every event is applied and every push landed.
        try await Task.sleep(for: .seconds(Self.orderPollInterval * 6 + Self.erliVisibilityDelay))
        try await waitUntil(deadline: 60, "the orders to drain") { try unapplied(codes) == 0 && pending(codes) == 0 }
        watching.cancel()
        (outcome.lags, outcome.openLags) = watch.finish()
        outcome.oversold = try oversold(shops)
        outcome.unseenAtEnd = try pool.query(
            "SELECT count(*)::int, COALESCE(sum(unseen_sales), 0)::int FROM outbox WHERE channel = ANY ($1::text[]) AND unseen_sales > 0", [codes]
        ) { rows in try rows.first.map { (try $0.decode(Int.self, at: 0), try $0.decode(Int.self, at: 1)) } ?? (0, 0) }
        await group.triggerGracefulShutdown()
        _ = await serving.result
        for shop in shops { await shop.stop() }
        try pool.execute("DELETE FROM channels WHERE code = ANY ($1::text[])", [codes])
        return outcome
    }

    private func prepareLedger(skus: [String]) throws {
        let catalog = Catalog(pool: pool)
        try catalog.upsertLocation(LocationDefinition(code: Self.warehouse, kind: .warehouse))
        try catalog.upsertLocation(
            LocationDefinition(code: Self.store, kind: .store, shipsOnline: false, clickAndCollect: true, pickupBuffer: 1))
        var rows: [StockImportRow] = []
        for (index, sku) in skus.enumerated() {
            rows.append(StockImportRow(line: rows.count + 2, sku: sku, location: Self.warehouse, onHand: plan.warehouseStock[index], name: sku))
            rows.append(StockImportRow(line: rows.count + 2, sku: sku, location: Self.store, onHand: plan.storeStock[index], name: sku))
        }
        _ = try ledger.importStock(rows, createMissing: true, reference: "sales day")
    }

    private func openShops(row: Int, client: CurlHTTPClient, webhooks: SalesDayShop.WebhookAddress) async throws -> [SalesDayShop] {
        let code = { (counter: SalesDayCounter) in "day\(row)-\(counter.rawValue)" }
        return [
            try await .webshop(code: code(.webshop), location: Self.warehouse, client: client, webhooks: webhooks),
            try await .woocommerce(code: code(.woocommerce), location: Self.warehouse, client: client, webhooks: webhooks),
            try await .allegro(code: code(.allegro), location: Self.warehouse, client: client),
            try await .erli(code: code(.erli), location: Self.warehouse, visibilityDelay: Self.erliVisibilityDelay, client: client),
            try await .clickAndCollect(code: code(.clickAndCollect), store: Self.store, client: client, webhooks: webhooks),
        ]
    }

    private func defineChannel(_ shop: SalesDayShop, policy: Policy, listings: [String: String]) throws {
        let capabilities = type(of: shop.channel).capabilities
        var lagAware = policy.lagAware
        if shop.counter == .erli { lagAware?.visibilityDelay = Self.erliVisibilityDelay }
        try Catalog(pool: pool).upsertChannel(
            ChannelDefinition(
                code: shop.code, kind: type(of: shop.channel).kind, modelsLocations: capabilities.modelsLocations, locations: [shop.location],
                buffer: policy.buffer, lagAware: lagAware, lastUnits: policy.lastUnits,
                priority: policy.keepsLastUnits.contains(shop.counter) ? 1 : 0
            ).declaring(capabilities))
        guard !listings.isEmpty else { return }
        try pool.execute(
            "INSERT INTO listings (channel, sku, location_scope, external_id) SELECT $1, sku, $2, id FROM unnest($3::text[], $4::text[]) AS l(sku, id)",
            [shop.code, capabilities.modelsLocations ? shop.location : "*", Array(listings.keys), Array(listings.values)])
    }

    /// A walk-in buys at the till what the store has; the ledger refuses what it has not (nothing is promised).
    private func walkIn(sku: String, quantity: Int, key: String, into outcome: inout Outcome) throws {
        do {
            _ = try ledger.sell(sku: sku, location: Self.store, quantity: quantity, reference: "walk-in", key: key)
            outcome.accepted[.walkIn, default: 0] += quantity
        } catch LedgerError.insufficientStock {
            outcome.refused[.walkIn, default: 0] += quantity
        }
    }

    /// Whether the ledger had the units the channel did not show (click-and-collect: after the pickup buffer).
    private func ledgerCouldSell(_ shop: SalesDayShop, sku: String, quantity: Int) throws -> Bool {
        if shop.counter == .clickAndCollect { return try ledger.pickupAvailable(sku: sku, store: Self.store) >= quantity }
        return try pool.query("SELECT location_available($1, $2)", [sku, shop.location]) { try $0[0].decode(Int.self, at: 0) } >= quantity
    }

    /// Units each channel sold that the ledger could not cover (backorders recorded as `oversold` conflicts).
    private func oversold(_ shops: [SalesDayShop]) throws -> [SalesDayCounter: Int] {
        let rows = try pool.query(
            """
            SELECT channel, COALESCE(sum((detail->>'backorder')::int), 0)::int FROM conflicts
            WHERE kind = 'oversold' AND channel = ANY ($1::text[]) GROUP BY channel
            """, [shops.map(\.code)]
        ) { rows in try rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1)) } }
        return rows.reduce(into: [:]) { result, row in
            if let shop = shops.first(where: { $0.code == row.0 }) { result[shop.counter] = row.1 }
        }
    }

    private func pending(_ codes: [String]) throws -> Int {
        try pool.query(
            """
            SELECT count(*)::int FROM outbox
            WHERE channel = ANY ($1::text[]) AND pushed_version IS DISTINCT FROM wanted_version AND NOT permanent_error
            """, [codes]
        ) { try $0[0].decode(Int.self, at: 0) }
    }

    private func unapplied(_ codes: [String]) throws -> Int {
        try pool.query(
            "SELECT count(*)::int FROM inbox WHERE channel = ANY ($1::text[]) AND status IN ('pending', 'failed')", [codes]
        ) { try $0[0].decode(Int.self, at: 0) }
    }

    private func waitUntil(deadline seconds: Double, _ what: String, _ done: () throws -> Bool) async throws {
        let deadline = LatencyProbe.now() + seconds
        while try !done() {
            guard LatencyProbe.now() < deadline else { throw BenchError(message: "sales day: \(what) did not finish in \(Int(seconds)) s") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
