import ChannelVocabulary
import Foundation
import Ledger
import Logging
import PostgresClient

/// Why a reconcile could not start.
package enum ReconcileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No configured channel has this code.
    case unknownChannel(String)

    package var description: String {
        switch self {
        case .unknownChannel(let code): "no configured channel \(code)"
        }
    }
}

/// Reconcile (DESIGN.md §6): for each channel, imports the order events it missed, then compares every
/// level it shows with the ledger and the outbox, page by page, and settles the differences by policy.
/// Channels run concurrently; each run is recorded in `reconcile_runs` with its report.
package final class ReconcileEngine: @unchecked Sendable {
    let endpoints: [(code: String, channel: any Channel)]
    let runs: ReconcileRunStore
    let orders: OrderCatchUp
    let levels: LevelReconciler
    let logger: Logger
    private let lock = NSLock()
    private var ticking = false

    /// - Parameters:
    ///   - endpoints: the configured channels.
    ///   - distances: `distances[store][location]`, how far each location is from a store (for transfer proposals).
    ///   - applier: how missed order events are applied; pass the worker's settings (pickup hold) through it.
    package init(
        pool: PostgresPool, ledger: StockLedger, endpoints: [ChannelEndpoint], distances: [String: [String: Int]] = [:],
        applier: EventApplier? = nil, logger: Logger = Logger(label: "omnistock.reconcile")
    ) {
        self.endpoints = endpoints.map { ($0.code, $0.channel) }
        self.runs = ReconcileRunStore(pool: pool)
        self.orders = OrderCatchUp(pool: pool, applier: applier ?? EventApplier(ledger: ledger))
        self.levels = LevelReconciler(ledger: ledger, shortfalls: PickupShortfalls(pool: pool, distances: distances))
        self.logger = logger
    }

    /// Reconciles `channel` (every channel when nil) and returns the report; a dry run changes nothing but
    /// the run's own record. Channel failures are reported per channel; the call throws only when the
    /// channel is unknown or the database fails.
    package func run(
        channel: String?, dryRun: Bool, trigger: ReconcileTrigger, progress: @escaping @Sendable (ChannelProgress) -> Void = { _ in }
    ) async throws -> ReconcileReport {
        if let channel, !endpoints.contains(where: { $0.code == channel }) { throw ReconcileError.unknownChannel(channel) }
        let runs = self.runs
        let run = try await runs.pool.run { _ in try runs.start(channel: channel, trigger: trigger, dryRun: dryRun) }
        return try await execute(run, progress: progress)
    }

    /// Runs the reconciles requested through `POST /v1/reconcile` (claimed with `FOR UPDATE SKIP LOCKED`,
    /// so each runs once among replicas), oldest first, until none is left; returns their reports.
    @discardableResult
    package func runPending(progress: @escaping @Sendable (ChannelProgress) -> Void = { _ in }) async throws -> [ReconcileReport] {
        let runs = self.runs
        var reports: [ReconcileReport] = []
        while let run = try await runs.pool.run({ _ in try runs.claimRequested() }) {
            if let channel = run.channel, !endpoints.contains(where: { $0.code == channel }) {
                try await runs.pool.run { _ in try runs.fail(run, error: ReconcileError.unknownChannel(channel).description) }
                continue
            }
            reports.append(try await execute(run, progress: progress))
        }
        return reports
    }

    /// The leader's job: runs requested reconciles, then the scheduled one of every channel `scheduler`
    /// finds due. Returns at once when the previous tick is still going.
    package func tick(scheduler: ReconcileScheduler) async {
        guard beginTick() else { return }
        defer { endTick() }
        do {
            try await runPending()
            let codes = endpoints.map(\.code)
            for channel in try await runs.pool.run({ _ in try scheduler.dueChannels(codes) }) {
                _ = try await run(channel: channel, dryRun: false, trigger: .schedule)
            }
        } catch {
            logger.warning("reconcile paused", metadata: ["error": "\(error)"])
        }
    }

    private func execute(_ run: ReconcileRun, progress: @escaping @Sendable (ChannelProgress) -> Void) async throws -> ReconcileReport {
        let runs = self.runs
        let started = Date()
        let selected = endpoints.filter { run.channel == nil || $0.code == run.channel }
        var channels: [ChannelReconcileReport] = []
        var findings = FindingLog()
        await withTaskGroup(of: (ChannelReconcileReport, FindingLog).self) { group in
            for (code, channel) in selected {
                group.addTask { await self.reconcile(code: code, channel: channel, run: run, progress: progress) }
            }
            for await (report, found) in group {
                channels.append(report)
                findings.merge(found)
            }
        }
        do {
            let open = try await runs.pool.run { _ in try runs.openConflicts(channel: run.channel) }
            let report = ReconcileReport(
                runID: run.id, dryRun: run.dryRun, channels: channels.sorted { $0.channel < $1.channel }, findings: findings.items,
                findingsOmitted: findings.omitted, openConflicts: open, durationSeconds: Date().timeIntervalSince(started))
            try await runs.pool.run { _ in try runs.finish(run, report: report) }
            return report
        } catch {
            try? await runs.pool.run { _ in try runs.fail(run, error: "\(error)") }
            throw error
        }
    }

    /// One channel: missed orders first (so the levels compare against a ledger that has them), then levels.
    private func reconcile(
        code: String, channel: any Channel, run: ReconcileRun, progress: @escaping @Sendable (ChannelProgress) -> Void
    ) async -> (ChannelReconcileReport, FindingLog) {
        let started = Date()
        var report = ChannelReconcileReport(channel: code)
        var findings = FindingLog()
        do {
            try await orders.run(code: code, channel: channel, run: run, report: &report, findings: &findings)
        } catch {
            report.errors.append("orders: \(error)")
        }
        do {
            try await levels.run(code: code, channel: channel, run: run, report: &report, findings: &findings, progress: progress)
        } catch {
            report.errors.append("levels: \(error)")
        }
        report.durationSeconds = Date().timeIntervalSince(started)
        progress(ChannelProgress(channel: code, compared: report.compared, total: nil, finished: true))
        if !report.errors.isEmpty {
            logger.warning("reconcile of a channel stopped early", metadata: ["channel": "\(code)", "errors": "\(report.errors)"])
        }
        return (report, findings)
    }

    private func beginTick() -> Bool {
        lock.withLock {
            guard !ticking else { return false }
            ticking = true
            return true
        }
    }

    private func endTick() {
        lock.withLock { ticking = false }
    }
}
