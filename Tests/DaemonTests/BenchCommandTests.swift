import Foundation
import PostgresClient
import TestSupport
import Testing

/// `omnistock bench` end to end on the test cluster. Figures are not timed here; what is checked is what
/// must hold whatever the machine: the hot SKU never oversells, and the memory phase really starts a
/// daemon that syncs and reconciles every level within the memory bound.
@Suite struct BenchCommandTests {
    /// The parts of `bench --json` the test reads.
    struct Report: Decodable {
        struct Figure: Decodable {
            var name: String
            var value: Double
            var baseline: Double?
        }

        var figures: [Figure]
        var notes: [String]
    }

    @Test func quickHotSKUAndDaemonMemoryPhases() throws {
        let database = try TestDatabase.make(migrated: false)
        let (status, output) = try DaemonProcess.run(
            ["bench", "--quick", "--json", "--only", "hot-sku", "memory", "--database", database.url], timeout: 400)
        #expect(status == 0, "output: \(output.suffix(3000))")
        // Progress and logs go to stderr before the report, which is the last thing printed.
        let start = try #require(output.range(of: "\n{\n")?.lowerBound, "no JSON report in: \(output.suffix(2000))")
        let report = try JSONDecoder().decode(Report.self, from: Data(output[start...].utf8))
        func figure(_ prefix: String) -> Report.Figure? { report.figures.first { $0.name.hasPrefix(prefix) } }

        #expect(figure("hot SKU reservations that succeeded")?.value == 1000, "exactly the stock, never more")
        let rss = try #require(figure("daemon peak RSS, 100000 levels"))
        #expect(rss.value > 0 && rss.value <= 150, "peak RSS \(rss.value) MiB")
        #expect(figure("daemon reconcile of 100000 levels") != nil, "the daemon's reconcile compared every level")
        #expect(report.notes.contains("verify: ledger consistent after the run"))
    }

    /// The history phase, compressed: the ledger stays consistent through the load and the checkpoint, and every figure
    /// is there (their ratios are for a quiet machine and a release build, not for this test).
    @Test func quickHistoryPhase() throws {
        let database = try TestDatabase.make(migrated: false)
        let (status, output) = try DaemonProcess.run(["bench", "--quick", "--json", "--only", "history", "--database", database.url], timeout: 300)
        #expect(status == 0, "output: \(output.suffix(3000))")
        let start = try #require(output.range(of: "\n{\n")?.lowerBound, "no JSON report in: \(output.suffix(2000))")
        let report = try JSONDecoder().decode(Report.self, from: Data(output[start...].utf8))
        let writes = try #require(report.figures.first { $0.name.hasPrefix("reservations/s, 8 clients, after 200000 old movements") })
        #expect(writes.value > 0 && (writes.baseline ?? 0) > 0)
        #expect(report.figures.contains { $0.name.hasPrefix("verify (from the latest checkpoint) after 200000") })
        #expect(report.notes.contains("verify: ledger consistent after the run"))
        let checkpoint = try database.pool.query("SELECT max(through_movement) FROM ledger_checkpoints") {
            try $0.first?.decode(Int.self, at: 0)
        }
        #expect((checkpoint ?? 0) > 200_000, "the checkpoint covers the loaded history")
    }

    /// The backlog phase, compressed: every sale made while each channel's backlog drained reached the channel, and
    /// the backlog went out in the vendor's largest batches.
    @Test func quickBacklogPhase() throws {
        let database = try TestDatabase.make(migrated: false)
        let (status, output) = try DaemonProcess.run(["bench", "--quick", "--json", "--only", "backlog", "--database", database.url], timeout: 300)
        #expect(status == 0, "output: \(output.suffix(3000))")
        let start = try #require(output.range(of: "\n{\n")?.lowerBound, "no JSON report in: \(output.suffix(2000))")
        let report = try JSONDecoder().decode(Report.self, from: Data(output[start...].utf8))
        for kind in ["shopify", "woocommerce", "allegro"] {
            let sales = try #require(report.figures.first { $0.name.hasPrefix("backlog \(kind)") && $0.name.contains("sale p99") })
            // "(n of m)": every sale arrived.
            let counts = sales.name.split(separator: "(").last?.split(separator: ")").first?.split(separator: " ") ?? []
            #expect(counts.count == 3 && counts[0] == counts[2], "\(sales.name)")
            let requests = try #require(report.figures.first { $0.name.hasPrefix("backlog \(kind)") && $0.name.contains("requests per") })
            // Coalesced into the largest batches: near the fewest requests (a throttled answer may add one).
            let fewest = try #require(requests.baseline)
            #expect(requests.value > 0 && requests.value <= fewest * 1.5, "\(requests.value) requests per 10,000 changes, fewest \(fewest)")
        }
        #expect(report.notes.contains("verify: ledger consistent after the run"))
    }
}
