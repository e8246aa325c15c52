import CurlHTTP
import Foundation
import Ledger

extension BenchRunner {
    /// A bulk change pushed to Shopify, WooCommerce and Allegro simulators that enforce each vendor's documented
    /// limit, with sales made meanwhile (see ``BacklogBench``).
    func backlog(ledger: StockLedger, into report: inout BenchReport) async throws {
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let bench = BacklogBench(pool: pool, ledger: ledger, log: log)
        let targets: [(BacklogTarget, Int)] = [
            (try await .shopify(client: client, bucket: options.shopifyBucket), options.backlogChanges),
            (try await .wooCommerce(client: client), options.backlogChanges),
            (try await .allegro(client: client), options.allegroBacklogChanges),
        ]
        for (target, changes) in targets {
            log("backlog \(target.kind): \(changes) SKUs under \(target.limit) …")
            let result = try await bench.run(target, changes: changes, salesPerSecond: options.backlogSalesPerSecond)
            let name = "backlog \(target.kind), \(changes) SKUs"
            report.notes.append("backlog \(target.kind): \(target.limit)")
            report.figures.append(BenchFigure(name: "\(name): import into the ledger", value: result.importSeconds, unit: "s"))
            report.figures.append(
                BenchFigure(
                    name: "\(name): time to push", value: result.seconds, unit: "s",
                    baselineName: result.floorSeconds.map { _ in "floor at the limit" }, baseline: result.floorSeconds,
                    target: result.floorSeconds.map { _ in "≤ 1.1x" }))
            // The sales are changes too: each goes out in a request of its own, ahead of the backlog.
            let pushed = Double(changes + result.sales)
            report.figures.append(
                BenchFigure(
                    name: "\(name): requests per 10,000 changes", value: Double(result.requests) * 10_000 / pushed, unit: "",
                    baselineName: "fewest the batch size allows", baseline: Double(result.floorRequests) * 10_000 / Double(changes)))
            let latencies = result.saleLatencies
            if latencies.isEmpty {
                report.notes.append("\(name): none of \(result.sales) sales reached the channel")
            } else {
                let p99 = latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
                report.figures.append(
                    BenchFigure(
                        name: "\(name): sale p99 during the backlog (\(latencies.count) of \(result.sales))", value: p99 * 1000, unit: "ms",
                        target: "≤ 2 s"))
            }
        }
    }
}
