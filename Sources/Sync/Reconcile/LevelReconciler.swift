import ChannelVocabulary
import Foundation
import Ledger
import PostgresClient

/// Reads a channel's levels page by page (never all at once; the next page is fetched while one is
/// settled) and settles each page: store counts become `count` movements, drift is pushed again (ledger
/// wins), pickup shortfalls are flagged. A page is either settled or not started: a failure reading
/// page N leaves the pages before it settled and reports the error.
struct LevelReconciler: Sendable {
    let ledger: StockLedger
    let shortfalls: PickupShortfalls
    var pool: PostgresPool { ledger.pool }
    var issues: ListingIssueStore { ListingIssueStore(pool: ledger.pool) }

    func run(
        code: String, channel: any Channel, run: ReconcileRun, report: inout ChannelReconcileReport, findings: inout FindingLog,
        progress: @Sendable (ChannelProgress) -> Void
    ) async throws {
        let capabilities = channel.capabilities
        let total = try await pool.run { pool in
            try OutboxStore.targetCount(channel: code, pool: pool)
        }
        // The next page is read while this one is settled: at most two pages are in memory.
        // Channels that need listings: the items read are recorded for `listings unmatched` and status.
        let catalogue = !capabilities.needsListings || run.dryRun ? nil : (catalog: Catalog(pool: pool), readAt: Date())
        var next: Task<RequestedPage, any Error>? = request(cursor: nil, from: channel)
        defer { next?.cancel() }
        var read = 0
        while let fetching = next {
            let requested: RequestedPage
            do {
                requested = try await fetching.value
            } catch {
                report.errors.append("levels after \(read) read: \(error)")
                return
            }
            let page = requested.page
            next = page.hasMore ? page.nextCursor.map { request(cursor: $0, from: channel) } : nil
            read += page.items.count
            let snapshots = page.items
            if let catalogue {
                let items = snapshots.compactMap { snapshot in
                    snapshot.externalID.map { CatalogueEntry(externalID: $0, sku: snapshot.sku, barcode: snapshot.barcode) }
                }
                try await pool.run { _ in try catalogue.catalog.recordCatalogue(channel: code, items: items, readAt: catalogue.readAt) }
            }
            let untracked = channel.untrackedStock
            let settled = try await pool.run { _ in
                try self.settle(
                    snapshots, requested: requested.moment, code: code, countsAreAuthoritative: capabilities.reportsCounts,
                    untracked: untracked, run: run)
            }
            report.compared += settled.report.compared
            report.unknown += snapshots.count - settled.report.compared
            report.inSync += settled.report.inSync
            report.pending += settled.report.pending
            report.drift += settled.report.drift
            report.countChanges += settled.report.countChanges
            report.shortfalls += settled.report.shortfalls
            findings.merge(settled.findings)
            progress(ChannelProgress(channel: code, compared: report.compared, total: total, finished: false))
        }
        if let catalogue {
            try await pool.run { _ in try catalogue.catalog.pruneCatalogue(channel: code, readAt: catalogue.readAt) }
        }
        if capabilities.holdsReservations {
            report.pickupHolds = try await pool.run { _ in try shortfalls.refreshHolds(channel: code, dryRun: run.dryRun) }
        }
    }

    /// A page of a channel's levels and the moment it was requested.
    private struct RequestedPage: Sendable {
        var page: Page<ChannelLevelSnapshot>
        var moment: ReadMoment
    }

    /// Notes the database's moment, then requests the page at `cursor`: what changes after that moment
    /// may be missing from the page.
    private func request(cursor: String?, from channel: any Channel) -> Task<RequestedPage, any Error> {
        let pool = self.pool
        return Task {
            let moment = try await pool.run { try ReadMoment.now(on: $0) }
            return RequestedPage(page: try await channel.fetchLevels(cursor: cursor), moment: moment)
        }
    }

    /// Compares and settles one page (blocking).
    private func settle(
        _ snapshots: [ChannelLevelSnapshot], requested: ReadMoment, code: String, countsAreAuthoritative: Bool,
        untracked policy: UntrackedStockPolicy, run: ReconcileRun
    ) throws -> (report: ChannelReconcileReport, findings: FindingLog) {
        var report = ChannelReconcileReport(channel: code)
        var findings = FindingLog()
        var levels = try LevelComparison.compare(snapshots.filter(\.tracksStock), channel: code, requested: requested, on: pool)
        let untracked = try settleUntracked(
            snapshots.filter { !$0.tracksStock }, requested: requested, code: code, policy: policy, run: run, findings: &findings)
        if !run.dryRun { try issues.resolveSettled(levels.map { ($0.sku, true, $0.shown > 0) }, channel: code) }
        report.compared = levels.count + untracked
        if countsAreAuthoritative {
            for index in levels.indices {
                // A level moved since the page was requested: the store's count may not include the movement yet.
                guard levels[index].isStore, !levels[index].changedDuringRead, let counted = levels[index].counted,
                    counted != levels[index].ledgerOnHand
                else { continue }
                report.countChanges += 1
                findings.add(try recordCount(&levels[index], counted: counted, code: code, run: run))
            }
        }
        var drifted: [ComparedLevel] = []
        for level in levels {
            if level.shown == level.wanted {
                report.inSync += 1
            } else if level.pushedDuringRead || (level.pending && (level.pushedValue == nil || level.shown == level.pushedValue)) {
                // A push is due that the channel has not seen yet (or never had), or one landed while the page
                // was being read: not an edit at the channel.
                report.pending += 1
            } else {
                drifted.append(level)
                findings.add(
                    ReconcileFinding(
                        kind: .drift, channel: code, sku: level.sku, location: level.scope, channelValue: level.shown,
                        ledgerValue: level.wanted, resolution: run.dryRun ? "would push \(level.wanted) again" : "ledger wins: pushed again"))
            }
        }
        report.drift = drifted.count
        if !run.dryRun && !drifted.isEmpty { try DriftRepair.pushAgain(drifted, channel: code, run: run, on: pool) }
        if countsAreAuthoritative {
            let stores = levels.filter(\.isStore).map { (sku: $0.sku, store: $0.scope, counted: run.dryRun ? $0.counted : nil) }
            for shortfall in try shortfalls.find(stores) {
                report.shortfalls += 1
                let proposal = try shortfalls.proposal(for: shortfall)
                if !run.dryRun { try shortfalls.flag(shortfall, proposal: proposal, run: run) }
                findings.add(
                    ReconcileFinding(
                        kind: .pickupShortfall, channel: code, sku: shortfall.sku, location: shortfall.store,
                        channelValue: shortfall.onHand, ledgerValue: shortfall.promised, orders: shortfall.orders, transfer: proposal,
                        resolution: run.dryRun ? "would flag the orders and propose a transfer" : "orders flagged, store and channels notified"))
            }
        }
        return (report, findings)
    }

    /// Listings the channel sells without tracking their stock (WooCommerce `manage_stock` off): never silent.
    /// `enable` makes their targets due again (the push turns stock tracking on); `flag` leaves them and records
    /// an open `unmanaged_listing` conflict. Returns how many there were.
    private func settleUntracked(
        _ snapshots: [ChannelLevelSnapshot], requested: ReadMoment, code: String, policy: UntrackedStockPolicy, run: ReconcileRun,
        findings: inout FindingLog
    ) throws -> Int {
        guard !snapshots.isEmpty else { return 0 }
        let levels = try LevelComparison.compare(snapshots, channel: code, requested: requested, on: pool)
        for level in levels {
            let resolution =
                switch (policy, run.dryRun) {
                case (.enable, false): "stock management turned on by the next push"
                case (.enable, true): "would turn stock management on by pushing again"
                case (.flag, false): "flagged for an operator: the channel sells it without limit"
                case (.flag, true): "would flag it for an operator"
                }
            findings.add(
                ReconcileFinding(
                    kind: .unmanagedListing, channel: code, sku: level.sku, location: level.scope,
                    ledgerValue: level.wanted, resolution: resolution))
        }
        guard !run.dryRun else { return levels.count }
        switch policy {
        case .enable:
            try issues.pushAgain(levels.map { ($0.sku, $0.scope) }, channel: code, run: run.id)
        case .flag:
            let detail = "the channel does not track this listing's stock (stock management off)"
            try issues.record(
                levels.map { ($0.sku, $0.scope, ListingIssue(kind: .unmanagedListing, detail: detail)) }, channel: code, source: "reconcile")
        }
        return levels.count
    }

    /// Records the store's count as a `count` movement (keyed by run, so a repeated run records it once)
    /// and a resolved `count_mismatch` conflict; the level then waits for its push with the new value.
    private func recordCount(_ level: inout ComparedLevel, counted: Int, code: String, run: ReconcileRun) throws -> ReconcileFinding {
        let finding = ReconcileFinding(
            kind: .countMismatch, channel: code, sku: level.sku, location: level.scope, channelValue: counted,
            ledgerValue: level.ledgerOnHand, resolution: run.dryRun ? "would record a count of \(counted)" : "count of \(counted) recorded")
        guard !run.dryRun else { return finding }
        _ = try ledger.count(
            sku: level.sku, location: level.scope, onHand: counted, reference: "reconcile run \(run.id) (\(code))",
            key: "reconcile:\(run.id):\(code):\(level.sku)@\(level.scope)")
        try ConflictStore.record(
            .countMismatch, channel: code, sku: level.sku, location: level.scope,
            detail: ["ledger_on_hand": level.ledgerOnHand, "counted": counted, "run": run.id], resolution: "count recorded", pool: pool)
        level.ledgerOnHand = counted
        level.wanted = try ledger.channelValue(channel: code, sku: level.sku, scope: level.scope)
        level.pending = true
        return finding
    }
}
