import ArgumentParser
import Foundation
import Ledger
import Sync
import TextTable

/// `omnistock status`: per channel pending targets, lag, failures and circuit; inbox, reservations, conflicts.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the sync state of every channel.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let runtime = try Runtime.start(options)
            defer { runtime.shutdown() }
            let report = try SyncStatusReport.read(from: runtime.pool)
            let reconciles = try ReconcileHistory.lastPerChannel(from: runtime.pool)
            if json {
                print(try JSONOutput.string(StatusOutput(sync: report, lastReconcile: reconciles)))
                return
            }
            TextTable<ChannelSyncStatus> {
                [
                    Column(title: "channel", value: $0.channel), Column(title: "kind", value: $0.kind),
                    Column(title: "pending", value: $0.pendingTargets),
                    Column(title: "oldest", value: $0.oldestPendingSeconds.map { String(format: "%.1fs", $0) } ?? "-"),
                    Column(title: "retrying", value: $0.retrying), Column(title: "refused", value: $0.permanentErrors),
                    Column(title: "circuit", value: $0.circuit), Column(title: "failures", value: $0.consecutiveFailures),
                    Column(title: "last success", value: $0.lastSuccessAt.map { ISO8601DateFormatter().string(from: $0) } ?? "-"),
                    Column(title: "last error", value: String(($0.lastError ?? "").prefix(60))),
                ]
            }.print(report.channels)
            print(
                "\ninbox: \(report.inboxBacklog) pending, \(report.inboxFailed) failed, \(report.inboxSetAside) set aside; active reservations: \(report.activeReservations)"
            )
            let conflicts = report.openConflicts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print("open conflicts: \(conflicts.isEmpty ? "none" : conflicts.joined(separator: ", "))")
            let unmatched = report.unmatched.map { "\($0.channel) \($0.skus) SKUs without a listing, \($0.items) items without a SKU" }
            print("unmatched: \(unmatched.isEmpty ? "none" : unmatched.joined(separator: "; ")) (omnistock listings unmatched)\n")
            TextTable<LastReconcile> {
                [
                    Column(title: "channel", value: $0.channel), Column(title: "last reconcile", value: $0.runID.map { "#\($0)" } ?? "never"),
                    Column(title: "status", value: $0.status ?? "-"), Column(title: "trigger", value: $0.trigger ?? "-"),
                    Column(title: "finished", value: $0.finishedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "-"),
                    Column(title: "compared", value: $0.report?.compared ?? 0), Column(title: "drift", value: $0.report?.drift ?? 0),
                    Column(title: "missed orders", value: $0.report?.missedOrders ?? 0), Column(title: "errors", value: $0.report?.errors.count ?? 0),
                ]
            }.print(reconciles)
        }
    }
}

/// `status --json`: the sync state and the last reconcile of every channel.
struct StatusOutput: Encodable {
    var sync: SyncStatusReport
    var lastReconcile: [LastReconcile]
}
