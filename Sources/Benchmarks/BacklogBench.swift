import ChannelVocabulary
import Foundation
import Ledger
import Logging
import OmnistockDaemon
import PostgresClient
import Sync
import Synchronization

/// A bulk change of many SKUs pushed to one channel under its vendor's documented limit, with sales made while it
/// drains: how long the push takes against the floor the limit allows, how many requests it takes, and how soon
/// each sale reaches the channel (decreases first, DESIGN.md §7).
struct BacklogBench {
    struct Result {
        /// Seconds the ledger took to import the change (one statement; its targets are marked in it).
        var importSeconds: Double
        var seconds: Double
        var floorSeconds: Double?
        var requests: Int
        var floorRequests: Int
        /// Seconds from each sale's commit to the channel showing it, sorted.
        var saleLatencies: [Double]
        var sales: Int
    }

    let pool: PostgresPool
    let ledger: StockLedger
    let log: @Sendable (String) -> Void

    /// Every SKU shows `before` at the channel; an import sets each to `after`; sales of one unit each run at
    /// `salesPerSecond` until the import is pushed.
    static let before = 10
    static let after = 110

    func run(_ target: BacklogTarget, changes: Int, salesPerSecond: Double) async throws -> Result {
        let code = "bench-backlog-\(target.kind)"
        let location = target.location
        let skus = (0..<changes).map(BenchCatalog.sku)
        try BenchCatalog.create(pool: pool, skus: changes, locations: [location], onHand: Self.before)
        try Catalog(pool: pool).upsertChannel(
            ChannelDefinition(
                code: code, kind: target.kind, modelsLocations: target.modelsLocations, locations: [location]
            ).declaring(target.channel.capabilities))
        let externalIDs = target.seed(skus, Self.before)
        _ = try pool.execute(
            "INSERT INTO listings (channel, sku, location_scope, external_id) SELECT $1, sku, $2, id FROM unnest($3::text[], $4::text[]) AS l(sku, id)",
            [code, target.modelsLocations ? location : "*", skus, externalIDs])
        // The channel already shows what the ledger says.
        try OutboxStore.markAllPushed(channel: code, value: Self.before, pool: pool)
        let worker = Daemon(
            pool: pool, ledger: ledger, endpoints: [ChannelEndpoint(code: code, channel: target.channel, lane: target.lane)],
            logger: Logger(label: "omnistock.bench"))
        worker.start()
        let requestsBefore = target.requests()

        log("backlog \(target.kind): importing \(changes) changes …")
        let rows = skus.enumerated().map { StockImportRow(line: $0.offset + 2, sku: $0.element, location: location, onHand: Self.after) }
        let importing = LatencyProbe.now()
        _ = try ledger.importStock(rows, createMissing: false, reference: "bench backlog")
        let started = LatencyProbe.now()
        let imported = try pool.query("SELECT COALESCE(max(wanted_version), 0) FROM outbox WHERE channel = $1", [code]) {
            try $0[0].decode(Int64.self, at: 0)
        }
        let sales = SaleLog()
        var order = Array(skus.indices).shuffled()
        var finished: Double?
        var nextSale = started
        while finished == nil {
            let now = LatencyProbe.now()
            if now >= nextSale, let index = order.popLast() {
                _ = try ledger.sell(
                    sku: skus[index], location: location, quantity: 1, key: "bench-backlog-sale-\(code)-\(index)-\(UUID().uuidString.prefix(6))")
                sales.add(index, at: LatencyProbe.now())
                nextSale += 1 / salesPerSecond
            }
            sales.collect { index in target.shown(skus[index], externalIDs[index]) == Self.after - 1 }
            if try !importPending(channel: code, upTo: imported) { finished = LatencyProbe.now() }
            try await Task.sleep(for: .milliseconds(5))
        }
        let drained = finished ?? started
        // Sales made at the very end still arrive; wait for them a little.
        let deadline = LatencyProbe.now() + 10
        while LatencyProbe.now() < deadline, sales.pending > 0 {
            sales.collect { index in target.shown(skus[index], externalIDs[index]) == Self.after - 1 }
            try await Task.sleep(for: .milliseconds(5))
        }
        let requests = target.requests() - requestsBefore
        await worker.stop()
        await target.stop()
        let floor = target.floor(changes)
        return Result(
            importSeconds: started - importing, seconds: drained - started, floorSeconds: floor.seconds, requests: requests,
            floorRequests: floor.requests,
            saleLatencies: sales.latencies.sorted(), sales: sales.count)
    }

    /// Whether a target's change from the import (version `upTo` or older) has not been pushed yet. Asked every few
    /// milliseconds, so it reads the due index (`outbox_due`, pending targets only) and stops at the first match: a
    /// count over the channel's rows, or an `EXISTS` the planner ran as a table scan past the pushed rows, took a core
    /// of the machine the lane and the simulator share.
    private func importPending(channel: String, upTo version: Int64) throws -> Bool {
        try pool.query(
            """
            SELECT 1 FROM outbox
            WHERE channel = $1 AND pushed_version IS DISTINCT FROM wanted_version AND NOT permanent_error
              AND COALESCE(pushed_version, 0) < least(wanted_version, $2)
            ORDER BY next_attempt_at LIMIT 1
            """, [channel, version]
        ) { $0.count > 0 }
    }
}

/// Sales made during a backlog and when each reached the channel.
private final class SaleLog: Sendable {
    private struct State {
        var pending: [Int: Double] = [:]
        var latencies: [Double] = []
        var count = 0
    }

    private let state = Mutex(State())

    func add(_ index: Int, at time: Double) {
        state.withLock {
            $0.pending[index] = time
            $0.count += 1
        }
    }

    /// Marks as arrived the pending sales `arrived` says the channel shows now.
    func collect(_ arrived: (Int) -> Bool) {
        let now = LatencyProbe.now()
        state.withLock { state in
            for (index, sold) in state.pending where arrived(index) {
                state.latencies.append(now - sold)
                state.pending[index] = nil
            }
        }
    }

    var pending: Int { state.withLock { $0.pending.count } }
    var latencies: [Double] { state.withLock { $0.latencies } }
    var count: Int { state.withLock { $0.count } }
}
