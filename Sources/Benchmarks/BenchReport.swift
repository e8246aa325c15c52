import Foundation

/// One measured figure, with the baseline measured in the same run when there is one.
public struct BenchFigure: Codable, Sendable {
    public var name: String
    public var value: Double
    public var unit: String
    /// What the figure is compared with (e.g. `pgbench -N` TPS at the same client count).
    public var baselineName: String?
    public var baseline: Double?
    /// The target from the issue, as a ratio or an absolute bound, for the reader.
    public var target: String?

    public init(name: String, value: Double, unit: String, baselineName: String? = nil, baseline: Double? = nil, target: String? = nil) {
        self.name = name
        self.value = value
        self.unit = unit
        self.baselineName = baselineName
        self.baseline = baseline
        self.target = target
    }

    /// `value ÷ baseline`, when there is a baseline.
    public var ratio: Double? { baseline.flatMap { $0 > 0 ? value / $0 : nil } }
}

/// Everything one `omnistock bench` run measured.
public struct BenchReport: Codable, Sendable {
    public var startedAt: Date
    public var machine: String
    public var figures: [BenchFigure] = []
    public var notes: [String] = []

    public init(startedAt: Date = Date(), machine: String = BenchReport.describeMachine()) {
        self.startedAt = startedAt
        self.machine = machine
    }

    /// A fixed-width table: figure, ours, baseline, ratio, target.
    public func table() -> String {
        func format(_ value: Double) -> String {
            value >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value)
        }
        // String(format:) does not pad `%@` on Linux: columns are padded by hand.
        func row(_ cells: [String]) -> String {
            let widths = [52, 16, 30, 14, 8]
            return zip(cells, widths + [0]).map { cell, width in
                width == 0 ? cell : cell.count >= width ? cell + " " : cell + String(repeating: " ", count: width - cell.count)
            }.joined()
        }
        var lines = [row(["figure", "ours", "baseline", "", "ratio", "target"])]
        for figure in figures {
            lines.append(row([
                figure.name, "\(format(figure.value)) \(figure.unit)", figure.baselineName ?? "", figure.baseline.map(format) ?? "",
                figure.ratio.map { String(format: "%.2fx", $0) } ?? "", figure.target ?? "",
            ]))
        }
        return (lines + notes.map { "note: \($0)" }).joined(separator: "\n")
    }

    public static func describeMachine() -> String {
        "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
    }
}
