import ArgumentParser
import Foundation
import Ledger
import OmnistockConfig
import PostgresClient
import Sync
import TextTable

/// `omnistock reconcile`: compares every channel (or one) with the ledger and settles the differences
/// by policy (DESIGN.md §6), with a progress bar per channel and a summary table or a JSON report.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Compare channels with the ledger and settle the differences.",
        discussion: """
            Imports orders the daemon missed, records store counts, pushes drifted values again (the ledger wins) \
            and flags pickup shortfalls. Exit 0 when everything is in sync or resolved, 1 when conflicts remain open \
            or a channel failed (or a dry run found differences).
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "Only this channel.")
    var channel: String?

    @Flag(help: "Show what would change; change nothing.")
    var dryRun = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let runtime = try Runtime.start(options)
            defer { runtime.shutdown() }
            let sync = runtime.configuration.sync
            let engine = ReconcileEngine(
                pool: runtime.pool, ledger: runtime.ledger,
                endpoints: try ChannelFactory.endpoints(runtime.configuration, credentials: ChannelCredentialStore(pool: runtime.pool)),
                distances: runtime.configuration.distances,
                applier: EventApplier(ledger: runtime.ledger, pickupHold: sync.pickupHoldSeconds, orderHold: sync.orderHoldSeconds),
                logger: runtime.logger)
            let bars = ProgressBars()
            let report: ReconcileReport
            do {
                report = try await engine.run(channel: channel, dryRun: dryRun, trigger: .cli) { bars.update($0) }
            } catch let error as ReconcileError {
                throw CommandFailure.usage(error.description)
            } catch let error as PostgresError where error.isConnectionLost {
                throw CommandFailure.databaseUnreachable("lost the database: \(error.message)")
            }
            if json {
                print(try JSONOutput.string(report))
            } else {
                printSummary(report)
            }
            guard !report.needsAttention else {
                let failed = report.channels.filter { !$0.errors.isEmpty }.map(\.channel)
                var problems = ["\(report.openConflicts) conflict(s) open"]
                if !failed.isEmpty { problems.append("failed: \(failed.joined(separator: ", "))") }
                if report.dryRun && report.channels.contains(where: \.foundDifferences) { problems.append("differences found (dry run)") }
                throw CommandFailure(exitCode: 1, message: "reconcile run \(report.runID): " + problems.joined(separator: "; "))
            }
        }
    }

    private func printSummary(_ report: ReconcileReport) {
        TextTable<ChannelReconcileReport> {
            [
                Column(title: "channel", value: $0.channel), Column(title: "compared", value: $0.compared),
                Column(title: "in sync", value: $0.inSync), Column(title: "drift", value: $0.drift),
                Column(title: "missed orders", value: $0.missedOrders), Column(title: "count changes", value: $0.countChanges),
                Column(title: "shortfalls", value: $0.shortfalls), Column(title: "oversold", value: $0.oversold),
                Column(title: "errors", value: $0.errors.count), Column(title: "time", value: String(format: "%.1fs", $0.durationSeconds)),
            ]
        }.print(report.channels)
        for channel in report.channels {
            for error in channel.errors { print("\(channel.channel): error: \(error)") }
        }
        for finding in report.findings {
            let place = [finding.sku, finding.location].compactMap { $0 }.joined(separator: " @ ")
            let transfer = finding.transfer.map { "; transfer \($0.quantity) from \($0.from)" } ?? ""
            print("\(finding.kind.rawValue) \(finding.channel) \(place): \(finding.resolution)\(transfer)")
        }
        if report.findingsOmitted > 0 { print("… and \(report.findingsOmitted) more") }
        print("\n\(report.dryRun ? "dry run, nothing changed; " : "")run \(report.runID); open conflicts: \(report.openConflicts)")
    }
}

/// One progress bar per channel, fed from the channels' concurrent tasks.
private final class ProgressBars: @unchecked Sendable {
    private let lock = NSLock()
    private var bars: [String: Progress] = [:]

    func update(_ progress: ChannelProgress) {
        lock.withLock {
            let bar = bars[progress.channel] ?? Progress(label: "reconcile \(progress.channel)", total: progress.total)
            bars[progress.channel] = bar
            if progress.finished { bar.finish(progress.compared) } else { bar.update(progress.compared) }
        }
    }
}
