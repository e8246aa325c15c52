import Channels
import CurlHTTP
import Foundation
import Ledger
import Logging
import PostgresClient
import Server
import Sync

/// Runs every benchmark against one database and collects the figures with their same-run baselines.
package struct BenchRunner: Sendable {
    /// How big and how long.
    package struct Options: Sendable {
        package var skus = 100_000
        package var seconds = 10.0
        package var propagationRate = 500.0
        package var propagationSeconds = 10.0
        /// Rounds of baseline and ours, alternating (A B A B …), for the figures compared with a baseline that
        /// shares the machine: pgbench, `GET /healthz`. Each side runs `seconds` a round.
        package var rounds = 3
        /// What to measure (default: everything).
        package var phases = Set(BenchPhase.allCases)
        /// Locations per SKU in the daemon memory phase (SKUs × locations levels: 1,000,000 by default).
        package var memoryLocations = 10
        /// The `omnistock` executable the memory phase starts as a daemon; nil skips that phase.
        package var daemonExecutable: URL?
        /// SKUs changed at once in the backlog phase, for Shopify and WooCommerce.
        package var backlogChanges = 100_000
        /// SKUs changed at once in the backlog phase for Allegro (2,500 offers a minute: 100,000 take 40 minutes).
        package var allegroBacklogChanges = 100_000
        /// Sales a second made while a backlog drains.
        package var backlogSalesPerSecond = 5.0
        /// The Shopify simulator's bucket size in points (nil: its default, 20 s of the Standard plan's restore rate).
        package var shopifyBucket: Double?
        /// Old movements loaded in the history phase.
        package var historyMovements = 10_000_000
        /// The sales day's seed, catalogue, length and buyers.
        package var salesDay = SalesDayPlan.Parameters()

        package init() {}

        /// A shorter run for smoke tests.
        package static var quick: Options {
            var options = Options()
            options.skus = 10_000
            options.seconds = 2
            options.propagationSeconds = 2
            options.rounds = 2
            // Compressed: a bucket of one second of restore, so that 10,000 changes already outlast it.
            options.backlogChanges = 10_000
            options.allegroBacklogChanges = 200
            options.shopifyBucket = 100
            options.historyMovements = 200_000
            options.salesDay.skus = 120
            options.salesDay.seconds = 40
            return options
        }
    }

    let pool: PostgresPool
    /// Where `pgbench` is; nil skips the pgbench baselines.
    let pgbenchDirectory: URL?
    let options: Options
    let log: @Sendable (String) -> Void

    package init(pool: PostgresPool, pgbenchDirectory: URL?, options: Options, log: @escaping @Sendable (String) -> Void) {
        self.pool = pool
        self.pgbenchDirectory = pgbenchDirectory
        self.options = options
        self.log = log
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    package func run() async throws -> BenchReport {
        var report = BenchReport()
        report.loadBefore = BenchReport.loadAverage()
        log("load average before: \(report.loadBefore ?? "unknown")")
        let ledger = StockLedger(pool: pool)
        log("creating \(options.skus) SKUs …")
        try BenchCatalog.create(pool: pool, skus: options.skus, locations: [Self.warehouse], onHand: 1_000_000)
        let phases = options.phases
        if phases.contains(.writes) || phases.contains(.hotSKU) {
            try await ledgerWrites(ledger: ledger, phases: phases, into: &report)
        }
        if phases.contains(.ingest) { try ingest(ledger: ledger, into: &report) }
        if phases.contains(.propagation) { try await propagation(ledger: ledger, into: &report) }
        if phases.contains(.ingress) { try await ingress(into: &report) }
        if phases.contains(.reconcile) { try await reconcile(into: &report) }
        if phases.contains(.backlog) { try await backlog(ledger: ledger, into: &report) }
        if phases.contains(.httpClient) { await httpClient(into: &report) }
        if phases.contains(.history) { try history(ledger: ledger, into: &report) }
        if phases.contains(.salesDay) { try await salesDay(ledger: ledger, into: &report) }
        if phases.contains(.memory), let executable = options.daemonExecutable {
            try await daemonMemory(executable: executable, into: &report)
        }
        let mismatches = try ledger.verify()
        report.notes.append(mismatches.isEmpty ? "verify: ledger consistent after the run" : "verify: \(mismatches.count) mismatches")
        report.loadAfter = BenchReport.loadAverage()
        log("load average after: \(report.loadAfter ?? "unknown")")
        return report
    }

    static let warehouse = "bench-wh"

    /// Reservations at 1 and 8 clients, sales and orders (reserve then commit) at 8, and the hot SKU, against
    /// `pgbench -N` on the same database, in alternating rounds.
    private func ledgerWrites(ledger: StockLedger, phases: Set<BenchPhase>, into report: inout BenchReport) async throws {
        var pgbench: PGBench?
        if let pgbenchDirectory {
            let bench = PGBench(binDirectory: pgbenchDirectory, conninfo: pool.conninfo)
            log("pgbench -i (scale \(max(1, options.skus / 100_000))) …")
            try bench.initialize(scale: max(1, options.skus / 100_000))
            pgbench = bench
        }
        let seconds = options.seconds
        // As in production, the location feeds a channel: every reservation also marks an outbox target.
        try Catalog(pool: pool).upsertChannel(
            ChannelDefinition(
                code: "bench-writes", kind: "omnistock-json", modelsLocations: true, locations: [Self.warehouse]
            ).declaring(OmnistockJSONChannel.capabilities))
        let writes = LedgerWriteBench(ledger: ledger, location: Self.warehouse)
        if phases.contains(.writes) {
            let runs: [(LedgerWriteBench.Operation, clients: Int, target: String?)] = [
                (.reserve, 1, nil), (.reserve, 8, "≥ 1.0x"), (.sell, 8, nil), (.reserveThenCommit, 8, nil),
            ]
            for (operation, clients, target) in runs {
                let name =
                    operation == .reserve
                    ? "reservations/s, \(clients) client(s), \(options.skus) SKUs"
                    : "ledger writes/s, \(operation.rawValue), \(clients) clients, \(options.skus) SKUs"
                let ours = { [log, options] () -> Double in
                    log("\(operation.rawValue), \(clients) client(s) …")
                    return writes.writesPerSecond(operation, clients: clients, skus: options.skus, seconds: seconds)
                }
                guard let pgbench else {
                    report.figures.append(BenchFigure(name: name, value: ours(), unit: "/s"))
                    continue
                }
                let rounds = try await BenchRound.alternate(
                    options.rounds,
                    baseline: {
                        log("pgbench -N, \(clients) client(s) …")
                        return try pgbench.simpleUpdateTPS(clients: clients, seconds: Int(seconds))
                    }, ours: ours)
                report.figures.append(
                    BenchFigure(
                        name: name, rounds: rounds, unit: "/s", baselineName: "pgbench -N TPS, \(clients) client(s)", target: target))
            }
            if let pgbench { try await statementCeilings(writes: writes, pgbench: pgbench, into: &report) }
        }
        guard phases.contains(.hotSKU) else { return }
        var succeeded: [Int] = []
        var refusedOtherwise = 0
        let hot = { [pool, log] () throws -> Double in
            log("hot SKU: 16 clients, stock 1,000 …")
            let hotSKU = "BENCH-HOT-\(UUID().uuidString.prefix(8))"
            try Catalog(pool: pool).upsertSKU(hotSKU)
            _ = try ledger.receive(sku: hotSKU, location: Self.warehouse, quantity: 1000, key: "bench-hot-\(UUID().uuidString)")
            let result = writes.hotSKU(clients: 16, sku: hotSKU, stock: 1000)
            succeeded.append(result.succeeded)
            refusedOtherwise += result.refusedOtherwise
            return result.rate
        }
        let name = "hot SKU reservations/s, 16 clients"
        if let pgbench {
            let rounds = try await BenchRound.alternate(
                options.rounds,
                baseline: {
                    log("pgbench -N, 1 client …")
                    return try pgbench.simpleUpdateTPS(clients: 1, seconds: Int(seconds))
                }, ours: hot)
            report.figures.append(BenchFigure(name: name, rounds: rounds, unit: "/s", baselineName: "pgbench -N TPS, 1 client", target: "≥ 0.5x"))
        } else {
            report.figures.append(BenchFigure(name: name, value: try hot(), unit: "/s"))
        }
        let worst = succeeded.max(by: { abs($0 - 1000) < abs($1 - 1000) }) ?? 0
        report.figures.append(
            BenchFigure(name: "hot SKU reservations that succeeded (stock 1,000)", value: Double(worst), unit: "", target: "= 1000"))
        report.figures.append(
            BenchFigure(
                name: "hot SKU requests refused but not for stock (all rounds)", value: Double(refusedOtherwise), unit: "", target: "= 0"))
        guard succeeded.allSatisfy({ $0 == 1000 }) else {
            throw BenchError(message: "oversell: \(succeeded) reservations succeeded for 1,000 units in each round")
        }
    }

    private func ingest(ledger: StockLedger, into report: inout BenchReport) throws {
        log("batched ingest of \(options.skus) levels …")
        let ingest = try IngestBench(ledger: ledger, location: "bench-ingest").movementsPerSecond(skus: options.skus)
        report.figures.append(BenchFigure(name: "batched ingest (import via COPY)", value: ingest, unit: "movements/s"))
    }

    private func propagation(ledger: StockLedger, into report: inout BenchReport) async throws {
        log("propagation at \(Int(options.propagationRate)) changes/s …")
        try BenchCatalog.create(pool: pool, skus: 1000, locations: ["bench-prop"], onHand: 10)
        let propagation = try await PropagationBench(pool: pool, ledger: ledger, location: "bench-prop")
            .run(rate: options.propagationRate, seconds: options.propagationSeconds, hotSKUs: 1000)
        report.figures.append(BenchFigure(name: "propagation p50 (commit → endpoint)", value: propagation.p50 * 1000, unit: "ms"))
        report.figures.append(BenchFigure(name: "propagation p99", value: propagation.p99 * 1000, unit: "ms", target: "≤ 100 ms"))
        report.figures.append(BenchFigure(name: "propagation max", value: propagation.max * 1000, unit: "ms"))
        report.figures.append(BenchFigure(name: "levels pushed per change (coalescing)", value: propagation.pushesPerChange, unit: ""))
    }

    /// Verified webhooks against `GET /healthz` on the same server; each round runs one and then the other.
    private func ingress(into report: inout BenchReport) async throws {
        var rates: [BenchRound] = []
        var p99s: [BenchRound] = []
        for round in 1...max(1, options.rounds) {
            log("webhook ingress vs a trivial route, round \(round) …")
            let ingress = try await IngressBenchmark.run(
                pool: pool, duration: .seconds(Int64(options.seconds)), logger: Logger(label: "omnistock.bench"))
            rates.append(BenchRound(baseline: ingress.trivial.perSecond, ours: ingress.webhooks.perSecond))
            p99s.append(BenchRound(baseline: Self.milliseconds(ingress.trivial.p99), ours: Self.milliseconds(ingress.webhooks.p99)))
        }
        report.figures.append(
            BenchFigure(
                name: "verified webhooks/s into the inbox", rounds: rates, unit: "/s", baselineName: "GET /healthz/s, same server",
                target: "≥ 2,000/s"))
        report.figures.append(
            BenchFigure(
                name: "webhook p99", rounds: p99s, unit: "ms", baselineName: "GET /healthz p99", target: "≤ 50 ms"))
    }

    private func reconcile(into report: inout BenchReport) async throws {
        log("reconcile: \(options.skus) SKUs × \(ReconcileBench.channels) channels …")
        let reconcile = try await ReconcileBench.run(pool: pool, skus: options.skus)
        report.figures.append(
            BenchFigure(
                name: "reconcile, \(options.skus) SKUs × \(ReconcileBench.channels) channels", value: reconcile.seconds, unit: "s",
                target: "≤ 20 s at 100,000 SKUs"))
        report.figures.append(BenchFigure(name: "reconcile throughput", value: reconcile.itemsPerSecond, unit: "levels/s"))
    }

    /// Runs last: the daemon drops channels it is not configured with.
    private func daemonMemory(executable: URL, into report: inout BenchReport) async throws {
        let levels = options.skus * options.memoryLocations
        log("daemon memory: \(options.skus) SKUs × \(options.memoryLocations) locations …")
        let memory = try await DaemonMemoryBench(pool: pool, executable: executable, log: log)
            .run(skus: options.skus, locations: options.memoryLocations)
        report.figures.append(
            BenchFigure(
                name: "daemon peak RSS, \(levels) levels", value: Double(memory.peakRSSBytes) / 1_048_576, unit: "MiB",
                target: "≤ 150 MiB at 1,000,000 levels"))
        report.figures.append(
            BenchFigure(
                name: "daemon first sync of \(levels) levels", value: Double(memory.levels) / memory.firstSyncSeconds, unit: "levels/s"))
        report.figures.append(
            BenchFigure(
                name: "daemon reconcile of \(memory.reconciled) levels", value: memory.reconcileSeconds, unit: "s"))
    }

    /// Writes and `verify` before and after a long history: the after/before ratios should stay near 1.
    private func history(ledger: StockLedger, into report: inout BenchReport) throws {
        let movements = options.historyMovements
        let result = try HistoryBench(pool: pool, ledger: ledger, location: Self.warehouse, skus: options.skus, log: log)
            .run(movements: movements, seconds: options.seconds)
        report.figures.append(
            BenchFigure(
                name: "reservations/s, 8 clients, after \(movements) old movements", value: result.reservationsAfter, unit: "/s",
                baselineName: "before loading them", baseline: result.reservationsBefore, target: "≥ 0.9x"))
        report.figures.append(
            BenchFigure(
                name: "verify (from the latest checkpoint) after \(movements) old movements", value: result.verifyAfter * 1000, unit: "ms",
                baselineName: "before loading them", baseline: result.verifyBefore * 1000, target: "≤ 1.2x"))
        report.figures.append(
            BenchFigure(name: "verify --full (every movement) after \(movements) old movements", value: result.verifyFullAfter, unit: "s"))
        report.figures.append(
            BenchFigure(name: "checkpoint over \(movements) new movements", value: result.checkpointSeconds, unit: "s"))
        report.figures.append(
            BenchFigure(name: "history load (setup)", value: Double(movements) / result.loadSeconds, unit: "movements/s"))
    }

    private func httpClient(into report: inout BenchReport) async {
        log("HTTP client keep-alive …")
        let probe = LatencyProbe()
        guard let probeURL = try? await probe.start() else { return }
        let curl = await CurlHTTPBenchmark(url: probeURL + "/ping", requests: 4000, concurrency: 4).run()
        await probe.stop()
        if let reused = curl.first(where: \.keepAlive), let fresh = curl.first(where: { !$0.keepAlive }) {
            report.figures.append(
                BenchFigure(
                    name: "CurlHTTP requests/s, keep-alive", value: reused.requestsPerSecond, unit: "/s",
                    baselineName: "new connection per request", baseline: fresh.requestsPerSecond))
            report.figures.append(
                BenchFigure(
                    name: "CurlHTTP p99, keep-alive", value: Self.milliseconds(reused.p99), unit: "ms",
                    baselineName: "new connection per request", baseline: Self.milliseconds(fresh.p99)))
        }
    }
}

/// The parts of `omnistock bench`, each selectable on its own.
package enum BenchPhase: String, CaseIterable, Sendable {
    case writes, hotSKU = "hot-sku", ingest, propagation, ingress, reconcile, backlog, httpClient = "http-client", history, salesDay = "sales-day",
        memory
}
