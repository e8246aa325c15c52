import ChannelVocabulary
import Foundation
import Ledger
import PostgresClient
import Sync

/// What one reconcile benchmark measured.
package struct ReconcileBenchmarkResult: Codable, Sendable, Equatable {
    package var skus: Int
    package var channels: Int
    /// Levels compared over all channels.
    package var items: Int
    /// Drifted levels found (one in `driftEvery` per channel was seeded off by one).
    package var drift: Int
    /// Wall time of the reconcile alone (seeding excluded).
    package var seconds: Double
    package var itemsPerSecond: Double
    /// Peak resident set size of this process (`VmHWM`), when the system tells.
    package var peakRSSBytes: Int?
}

/// Reconciles `skus` SKUs on each of the given channels against their endpoints and measures it.
package enum ReconcileBenchmark {
    /// The location the benchmark stocks (its own, so the benchmark can share a database with others).
    package static let location = "bench-reconcile"

    /// Seeds the ledger (SKUs `BENCH-000000`…, one warehouse, the channels) and each endpoint (every
    /// value pushed, one in `driftEvery` off by one), then runs one reconcile of all channels.
    ///
    /// - Parameters:
    ///   - pool: a scratch database, migrated; the benchmark writes its catalogue, stock and runs there.
    ///   - endpoints: channels whose endpoints accept levels for any SKU (omnistock-json store endpoints,
    ///     such as `OmnistockJSONSimulator`s), each ideally with a large page size.
    package static func run(
        pool: PostgresPool, endpoints: [ChannelEndpoint], skus count: Int, driftEvery: Int = 100
    ) async throws -> ReconcileBenchmarkResult {
        let ledger = StockLedger(pool: pool)
        try await pool.run { pool in try seedLedger(pool: pool, ledger: ledger, endpoints: endpoints, count: count) }
        for endpoint in endpoints {
            try await seed(endpoint.channel, count: count, driftEvery: driftEvery)
        }
        let engine = ReconcileEngine(pool: pool, ledger: ledger, endpoints: endpoints)
        let started = Date()
        let report = try await engine.run(channel: nil, dryRun: false, trigger: .cli)
        let seconds = Date().timeIntervalSince(started)
        let items = report.channels.map(\.compared).reduce(0, +)
        return ReconcileBenchmarkResult(
            skus: count, channels: endpoints.count, items: items, drift: report.channels.map(\.drift).reduce(0, +), seconds: seconds,
            itemsPerSecond: Double(items) / max(seconds, 0.001), peakRSSBytes: peakResidentBytes())
    }

    static func onHand(_ index: Int) -> Int { index % 50 + 1 }

    /// The catalogue, the stock (through `importStock`) and an outbox that says every value was pushed.
    private static func seedLedger(pool: PostgresPool, ledger: StockLedger, endpoints: [ChannelEndpoint], count: Int) throws {
        let catalog = Catalog(pool: pool)
        try catalog.upsertLocation(LocationDefinition(code: location, name: "Benchmark", kind: .warehouse))
        for endpoint in endpoints {
            try catalog.upsertChannel(
                ChannelDefinition(
                    code: endpoint.code, kind: type(of: endpoint.channel).kind, modelsLocations: endpoint.channel.modelsLocations,
                    locations: [location]
                ).declaring(endpoint.channel.capabilities))
        }
        let rows = (0..<count).lazy.map { StockImportRow(line: $0 + 2, sku: BenchCatalog.sku($0), location: location, onHand: onHand($0)) }
        _ = try ledger.importStock(rows, createMissing: true, reference: "reconcile benchmark")
        for endpoint in endpoints {
            try OutboxStore.markAllPushedAtLedgerValues(channel: endpoint.code, pool: pool)
        }
    }

    private static func seed(_ channel: any Channel, count: Int, driftEvery: Int) async throws {
        let scope = channel.modelsLocations ? location : ChannelLevel.pooled
        for start in stride(from: 0, to: count, by: 1000) {
            let levels = (start..<min(start + 1000, count)).map { index in
                ChannelLevel(sku: BenchCatalog.sku(index), location: scope, value: onHand(index) + (index % driftEvery == 0 ? 1 : 0), version: 1)
            }
            let result = await channel.pushLevels(levels)
            if let failure = result.outcomes.first(where: { $0 != .ok }) {
                throw ChannelError(.permanent, "seeding the endpoint failed: \(failure)")
            }
        }
    }

    /// `VmHWM` (peak resident set size) of a process (this one by default) from `/proc/<pid>/status`, in bytes.
    package static func peakResidentBytes(process: String = "self") -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kilobytes * 1024
    }
}
