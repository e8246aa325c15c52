import Foundation
import Ledger

extension BenchRunner {
    /// The seeded sales day played with static buffers of 0 and 2 and with lag-aware buffers (see ``SalesDayBench``).
    func salesDay(ledger: StockLedger, into report: inout BenchReport) async throws {
        let plan = SalesDayPlan(options.salesDay)
        log("sales day: \(plan.parameters)")
        report.notes.append("sales day: \(plan.parameters); \(plan.arrivals.count) buyers; replay with the same options")
        let bench = SalesDayBench(pool: pool, ledger: ledger, plan: plan, log: log)
        let online: Set<SalesDayCounter> = [.webshop]
        let policies = [
            SalesDayBench.Policy(name: "static buffer 0"),
            SalesDayBench.Policy(name: "static buffer 2", buffer: 2),
            SalesDayBench.Policy(
                name: "lag-aware, last unit to the webshop",
                lagAware: LagAwareBuffer(window: 30, cap: 10, lowStock: 15), lastUnits: 1, keepsLastUnits: online),
        ]
        var outcomes: [SalesDayBench.Outcome] = []
        for (row, policy) in policies.enumerated() {
            let outcome = try await bench.run(policy, row: row + 1)
            outcomes.append(outcome)
            let name = "sales day, \(policy.name)"
            report.figures.append(BenchFigure(name: "\(name): oversold units", value: Double(outcome.totalOversold), unit: "units"))
            report.figures.append(BenchFigure(name: "\(name): hidden units", value: Double(outcome.totalHidden), unit: "units"))
            report.figures.append(BenchFigure(name: "\(name): units sold", value: Double(outcome.totalSold), unit: "units"))
            report.notes.append("\(name): " + Self.describe(outcome))
        }
        let (static0, static2, lagAware) = (outcomes[0], outcomes[1], outcomes[2])
        report.figures.append(
            BenchFigure(
                name: "sales day: oversold units, lag-aware vs static buffer 0", value: Double(lagAware.totalOversold), unit: "units",
                baselineName: "static buffer 0", baseline: Double(static0.totalOversold), target: "≤ 0.2x"))
        report.figures.append(
            BenchFigure(
                name: "sales day: units sold, lag-aware vs static buffer 2", value: Double(lagAware.totalSold), unit: "units",
                baselineName: "static buffer 2", baseline: Double(static2.totalSold), target: "≥ 1.0x"))
    }

    /// Per counter: accepted / oversold / hidden / sold, and the channel's view lag (p50, p99, max).
    static func describe(_ outcome: SalesDayBench.Outcome) -> String {
        let counters = SalesDayCounter.allCases.map { counter in
            var text =
                "\(counter.rawValue) \(outcome.accepted[counter] ?? 0) taken, \(outcome.oversold[counter] ?? 0) oversold, "
                + "\(outcome.hidden[counter] ?? 0) hidden, \(outcome.sold(counter)) sold"
            if let lags = outcome.lags[counter], !lags.isEmpty {
                func at(_ fraction: Double) -> String { String(format: "%.2f", lags[min(lags.count - 1, Int(Double(lags.count) * fraction))]) }
                text += ", view lag p50 \(at(0.5)) s, p99 \(at(0.99)) s, max \(String(format: "%.2f", lags.last ?? 0)) s (\(lags.count))"
            }
            return text
        }
        return counters.joined(separator: "; ") + "; views never caught up: \(outcome.openLags)"
            + "; unseen sales still held back at the end: \(outcome.unseenAtEnd.units) units on \(outcome.unseenAtEnd.targets) targets"
    }
}
