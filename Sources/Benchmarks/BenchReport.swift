import Foundation

/// One measured figure, with the baseline measured in the same run when there is one.
package struct BenchFigure: Codable, Sendable {
    package var name: String
    package var value: Double
    package var unit: String
    /// What the figure is compared with (e.g. `pgbench -N` TPS at the same client count).
    package var baselineName: String?
    package var baseline: Double?
    /// The target from the issue, as a ratio or an absolute bound, for the reader.
    package var target: String?

    package init(name: String, value: Double, unit: String, baselineName: String? = nil, baseline: Double? = nil, target: String? = nil) {
        self.name = name
        self.value = value
        self.unit = unit
        self.baselineName = baselineName
        self.baseline = baseline
        self.target = target
    }

    /// The rounds, when baseline and ours ran in alternating rounds; then ``value`` and ``baseline`` are medians.
    package var rounds: [BenchRound]?

    /// A figure measured in alternating rounds: its value and baseline are the medians of the rounds'.
    package init(name: String, rounds: [BenchRound], unit: String, baselineName: String, target: String? = nil) {
        self.init(
            name: name, value: BenchRound.median(rounds.map(\.ours)), unit: unit, baselineName: baselineName,
            baseline: BenchRound.median(rounds.map(\.baseline)), target: target)
        self.rounds = rounds
    }

    /// The median of the rounds' ratios when there are rounds, else `value ÷ baseline` (when there is a baseline).
    package var ratio: Double? {
        if let ratios = rounds?.compactMap(\.ratio), !ratios.isEmpty { return BenchRound.median(ratios) }
        return baseline.flatMap { $0 > 0 ? value / $0 : nil }
    }

    /// The lowest and highest ratio of the rounds (nil without rounds).
    package var ratioSpread: ClosedRange<Double>? {
        guard let ratios = rounds?.compactMap(\.ratio), let low = ratios.min(), let high = ratios.max() else { return nil }
        return low...high
    }
}

/// One round of a figure measured against its baseline in alternating rounds (A B A B …): background load that comes
/// and goes lands on both sides, and the spread of the rounds' ratios shows how much it moved them.
package struct BenchRound: Codable, Sendable {
    package var baseline: Double
    package var ours: Double

    package init(baseline: Double, ours: Double) {
        self.baseline = baseline
        self.ours = ours
    }

    /// `ours ÷ baseline` (nil for a baseline of 0).
    package var ratio: Double? { baseline > 0 ? ours / baseline : nil }

    /// The median of `values` (the mean of the middle two for an even count; 0 for none).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Runs `baseline` and `ours` in turn, `count` times (A B A B …), and returns the rounds.
    static func alternate(
        _ count: Int, baseline: () async throws -> Double, ours: () async throws -> Double
    ) async rethrows -> [BenchRound] {
        var rounds: [BenchRound] = []
        for _ in 0..<max(1, count) {
            let base = try await baseline()
            rounds.append(BenchRound(baseline: base, ours: try await ours()))
        }
        return rounds
    }
}

/// Everything one `omnistock bench` run measured.
package struct BenchReport: Codable, Sendable {
    package var startedAt: Date
    package var machine: String
    package var figures: [BenchFigure] = []
    package var notes: [String] = []
    /// `/proc/loadavg` (1, 5 and 15 minute load averages) when the run started and when it ended.
    package var loadBefore: String?
    package var loadAfter: String?

    package init(startedAt: Date = Date(), machine: String = BenchReport.describeMachine()) {
        self.startedAt = startedAt
        self.machine = machine
    }

    /// A fixed-width table: figure, ours, baseline, ratio, target.
    package func table() -> String {
        func format(_ value: Double) -> String {
            value >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value)
        }
        // String(format:) does not pad `%@` on Linux: columns are padded by hand.
        func row(_ cells: [String]) -> String {
            let widths = [52, 16, 30, 14, 22]
            return zip(cells, widths + [0]).map { cell, width in
                width == 0 ? cell : cell.count >= width ? cell + " " : cell + String(repeating: " ", count: width - cell.count)
            }.joined()
        }
        var lines = [row(["figure", "ours", "baseline", "", "ratio", "target"])]
        for figure in figures {
            lines.append(
                row([
                    figure.name, "\(format(figure.value)) \(figure.unit)", figure.baselineName ?? "", figure.baseline.map(format) ?? "",
                    figure.ratio.map { ratio in
                        String(format: "%.2fx", ratio)
                            + (figure.ratioSpread.map { String(format: " (%.2f–%.2f)", $0.lowerBound, $0.upperBound) } ?? "")
                    } ?? "", figure.target ?? "",
                ]))
        }
        let load = [loadBefore.map { "load average before: \($0)" }, loadAfter.map { "load average after: \($0)" }].compactMap { $0 }
        return (lines + notes.map { "note: \($0)" } + load).joined(separator: "\n")
    }

    /// The 1, 5 and 15 minute load averages from `/proc/loadavg` (nil where there is none).
    package static func loadAverage() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    package static func describeMachine() -> String {
        "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
    }
}
