import Channels
import CurlHTTP
import Foundation
import Ledger
import Logging
import PostgresClient
import Server

/// Runs every benchmark against one database and collects the figures with their same-run baselines.
public struct BenchRunner: Sendable {
    /// How big and how long.
    public struct Options: Sendable {
        public var skus = 100_000
        public var seconds = 10.0
        public var propagationRate = 500.0
        public var propagationSeconds = 10.0

        public init() {}

        /// A shorter run for smoke tests.
        public static var quick: Options {
            var options = Options()
            options.skus = 10_000
            options.seconds = 2
            options.propagationSeconds = 2
            return options
        }
    }

    let pool: PostgresPool
    /// Where `pgbench` is; nil skips the pgbench baselines.
    let pgbenchDirectory: URL?
    let options: Options
    let log: @Sendable (String) -> Void

    public init(pool: PostgresPool, pgbenchDirectory: URL?, options: Options, log: @escaping @Sendable (String) -> Void) {
        self.pool = pool
        self.pgbenchDirectory = pgbenchDirectory
        self.options = options
        self.log = log
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    public func run() async throws -> BenchReport {
        var report = BenchReport()
        let ledger = StockLedger(pool: pool)
        let warehouse = "bench-wh"
        log("creating \(options.skus) SKUs …")
        try BenchCatalog.create(pool: pool, skus: options.skus, locations: [warehouse], onHand: 1_000_000)

        var baselines: [Int: Double] = [:]
        if let pgbenchDirectory {
            let bench = PGBench(binDirectory: pgbenchDirectory, conninfo: pool.conninfo)
            log("pgbench -i (scale \(max(1, options.skus / 100_000))) …")
            try bench.initialize(scale: max(1, options.skus / 100_000))
            for clients in [1, 8] {
                log("pgbench -N, \(clients) client(s) …")
                baselines[clients] = try bench.simpleUpdateTPS(clients: clients, seconds: Int(options.seconds))
            }
        }
        let writes = LedgerWriteBench(ledger: ledger, location: warehouse)
        for clients in [1, 8] {
            log("reservations, \(clients) client(s) …")
            let rate = writes.reservationsPerSecond(clients: clients, skus: options.skus, seconds: options.seconds)
            report.figures.append(BenchFigure(
                name: "reservations/s, \(clients) client(s), \(options.skus) SKUs", value: rate, unit: "/s",
                baselineName: baselines[clients].map { _ in "pgbench -N TPS, \(clients) client(s)" }, baseline: baselines[clients],
                target: clients == 8 ? "≥ 1.0x" : nil))
        }

        log("hot SKU: 16 clients, stock 1,000 …")
        try Catalog(pool: pool).upsertSKU("BENCH-HOT")
        _ = try ledger.receive(sku: "BENCH-HOT", location: warehouse, quantity: 1000, key: "bench-hot-\(UUID().uuidString)")
        let hot = writes.hotSKU(clients: 16, sku: "BENCH-HOT", stock: 1000)
        report.figures.append(BenchFigure(
            name: "hot SKU reservations/s, 16 clients", value: hot.rate, unit: "/s",
            baselineName: baselines[1].map { _ in "pgbench -N TPS, 1 client" }, baseline: baselines[1], target: "≥ 0.5x"))
        report.figures.append(BenchFigure(name: "hot SKU reservations that succeeded (stock 1,000)", value: Double(hot.succeeded), unit: "", target: "= 1000"))
        guard hot.succeeded == 1000 else { throw BenchError(message: "oversell: \(hot.succeeded) reservations succeeded for 1,000 units") }

        log("batched ingest of \(options.skus) levels …")
        let ingest = try IngestBench(ledger: ledger, location: "bench-ingest").movementsPerSecond(skus: options.skus)
        report.figures.append(BenchFigure(name: "batched ingest (import via COPY)", value: ingest, unit: "movements/s"))

        log("propagation at \(Int(options.propagationRate)) changes/s …")
        try BenchCatalog.create(pool: pool, skus: 1000, locations: ["bench-prop"], onHand: 10)
        let propagation = try await PropagationBench(pool: pool, ledger: ledger, location: "bench-prop")
            .run(rate: options.propagationRate, seconds: options.propagationSeconds, hotSKUs: 1000)
        report.figures.append(BenchFigure(name: "propagation p50 (commit → endpoint)", value: propagation.p50 * 1000, unit: "ms"))
        report.figures.append(BenchFigure(name: "propagation p99", value: propagation.p99 * 1000, unit: "ms", target: "≤ 100 ms"))
        report.figures.append(BenchFigure(name: "propagation max", value: propagation.max * 1000, unit: "ms"))
        report.figures.append(BenchFigure(name: "levels pushed per change (coalescing)", value: propagation.pushesPerChange, unit: ""))

        log("webhook ingress vs a trivial route …")
        let ingress = try await IngressBenchmark.run(pool: pool, duration: .seconds(Int64(options.seconds)), logger: Logger(label: "omnistock.bench"))
        report.figures.append(BenchFigure(
            name: "verified webhooks/s into the inbox", value: ingress.webhooks.perSecond, unit: "/s",
            baselineName: "GET /healthz/s, same server", baseline: ingress.trivial.perSecond, target: "≥ 2,000/s"))
        report.figures.append(BenchFigure(
            name: "webhook p99", value: Self.milliseconds(ingress.webhooks.p99), unit: "ms",
            baselineName: "GET /healthz p99", baseline: Self.milliseconds(ingress.trivial.p99), target: "≤ 50 ms"))

        log("HTTP client keep-alive …")
        let probe = LatencyProbe()
        let probeURL = try await probe.start()
        let curl = await CurlHTTPBenchmark(url: probeURL + "/ping", requests: 4000, concurrency: 4).run()
        await probe.stop()
        if let reused = curl.first(where: \.keepAlive), let fresh = curl.first(where: { !$0.keepAlive }) {
            report.figures.append(BenchFigure(
                name: "CurlHTTP requests/s, keep-alive", value: reused.requestsPerSecond, unit: "/s",
                baselineName: "new connection per request", baseline: fresh.requestsPerSecond))
            report.figures.append(BenchFigure(
                name: "CurlHTTP p99, keep-alive", value: Self.milliseconds(reused.p99), unit: "ms",
                baselineName: "new connection per request", baseline: Self.milliseconds(fresh.p99)))
        }

        let mismatches = try ledger.verify()
        report.notes.append(mismatches.isEmpty ? "verify: ledger consistent after the run" : "verify: \(mismatches.count) mismatches")
        return report
    }
}
