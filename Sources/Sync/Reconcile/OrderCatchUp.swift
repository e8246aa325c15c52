import ChannelVocabulary
import Foundation
import Ledger
import PostgresClient

/// Reads a channel's orders since its stored cursor and imports the events the daemon never received
/// through the ``EventApplier`` (the webhook path), so each one takes effect once whatever the source.
/// The cursor moves on only after a page's events are committed; a failure leaves it at the last
/// committed page, and the next run resumes there. An order the ledger refuses (an unknown SKU, a quantity
/// out of range) is set aside as an open `missed_order` conflict carrying the reason, once, and the orders
/// behind it are imported: one bad order never blocks a channel's catch-up.
///
/// Reconcile reads the orders of every channel; the order poll (``OrderPolling``) reads those of kinds whose orders
/// arrive only that way. One read of a channel's orders runs at a time in this process (``OrderFeedGate``), so the
/// two never import the same page side by side or move its cursor back.
struct OrderCatchUp: Sendable {
    let pool: PostgresPool
    let applier: EventApplier
    let gate = OrderFeedGate()

    /// Who reads the orders: a reconcile run reports each order it imports as a resolved `missed_order` conflict
    /// (the daemon should have had it already); the poll imports what it reads, which is how such orders arrive.
    enum Reader: Sendable {
        case reconcile(ReconcileRun)
        case poll

        var dryRun: Bool {
            if case .reconcile(let run) = self { run.dryRun } else { false }
        }

        /// How a conflict set aside for the order is settled once the order imports.
        var resolution: String {
            if case .reconcile = self { "imported by reconcile" } else { "imported by the order poll" }
        }

        var runID: Int64? {
            if case .reconcile(let run) = self { run.id } else { nil }
        }
    }

    /// What one read of a channel's orders did.
    struct Outcome: Sendable {
        /// Order events that changed the ledger (or, in a dry run, would have).
        var imported: [(event: NormalizedEvent, order: String, resolution: String)] = []
        /// Why the read stopped before the end of the feed, if it did.
        var error: String?
    }

    /// Imports missed order events of `code` into `report`; records a resolved `missed_order` conflict for each.
    func run(code: String, channel: any Channel, run: ReconcileRun, report: inout ChannelReconcileReport, findings: inout FindingLog) async throws {
        let started = Date()
        while !gate.begin(code) { try await Task.sleep(for: .milliseconds(100)) }
        defer { gate.end(code) }
        let outcome = try await importOrders(code: code, channel: channel, reader: .reconcile(run))
        report.missedOrders += outcome.imported.count
        for (_, order, resolution) in outcome.imported {
            findings.add(ReconcileFinding(kind: .missedOrder, channel: code, orders: [order], resolution: resolution))
        }
        if let error = outcome.error { report.errors.append(error) }
        if !run.dryRun { report.oversold += try await backordersRecorded(channel: code, since: started) }
    }

    /// The order poll's read of `code`: nil when a read of its orders is already going on in this process.
    func poll(code: String, channel: any Channel) async throws -> Outcome? {
        guard gate.begin(code) else { return nil }
        defer { gate.end(code) }
        return try await importOrders(code: code, channel: channel, reader: .poll)
    }

    /// Reads pages from the stored cursor to the end of the feed, importing what the ledger lacks and storing the
    /// cursor after each page (not in a dry run).
    private func importOrders(code: String, channel: any Channel, reader: Reader) async throws -> Outcome {
        var outcome = Outcome()
        var cursor = try await pool.run { pool in
            try ChannelHealthStore(pool: pool).ordersCursor(channel: code)
        }
        while true {
            let page: Page<NormalizedEvent>
            do {
                page = try await channel.fetchOrders(since: cursor)
            } catch  where error.kind == .unsupported {
                return outcome
            } catch {
                outcome.error = "orders after cursor \(cursor ?? "(start)"): \(error)"
                return outcome
            }
            for event in page.items {
                guard let order = event.orderRef, try await isMissed(event, order: order, channel: code) else { continue }
                var resolution = reader.dryRun ? "would import \(event.kind.rawValue)" : "imported \(event.kind.rawValue)"
                if !reader.dryRun {
                    do {
                        try await importEvent(event, order: order, channel: code, reader: reader)
                    } catch let refusal as LedgerError {
                        resolution = "not imported: \(refusal)"
                        try await setAside(event, order: order, channel: code, reader: reader, reason: refusal.description)
                    }
                }
                outcome.imported.append((event, order, resolution))
            }
            if !reader.dryRun, let next = page.nextCursor, next != cursor { try await store(cursor: next, channel: code) }
            guard page.hasMore, let next = page.nextCursor, next != cursor else { break }
            cursor = next
        }
        return outcome
    }

    /// An order event that changes something: a creation for an order the daemon does not know or never
    /// applied (an earlier attempt was refused), or an end (cancel, fulfil) for an order it does not know or
    /// still holds open.
    private func isMissed(_ event: NormalizedEvent, order: String, channel: String) async throws -> Bool {
        guard [.orderCreated, .orderCancelled, .orderFulfilled].contains(event.kind) else { return false }
        let known = try await pool.run { pool in
            try pool.query("SELECT status, applied_at IS NOT NULL FROM channel_orders WHERE channel = $1 AND order_ref = $2", [channel, order]) {
                try $0.first.map { (status: try $0.decode(String.self, at: 0), applied: try $0.decode(Bool.self, at: 1)) }
            }
        }
        guard let known else { return true }
        return event.kind == .orderCreated ? known.status == "open" && !known.applied : known.status == "open"
    }

    private func importEvent(_ event: NormalizedEvent, order: String, channel: String, reader: Reader) async throws {
        let applier = self.applier
        try await pool.run { pool in
            try applier.apply(event, channel: channel)
            if case .reconcile(let run) = reader {
                try ConflictStore.record(
                    .missedOrder, channel: channel, detail: ["order": order, "event": event.id, "type": event.kind.rawValue, "run": run.id],
                    resolution: "imported by reconcile", pool: pool)
            }
            // An earlier refusal of this event, set aside for an operator, is settled now.
            try ConflictStore.resolveMissedOrder(
                channel: channel, order: order, type: event.kind.rawValue, resolution: reader.resolution, pool: pool)
        }
    }

    /// Records the refused order as an open conflict for an operator, unless one is already open for it.
    private func setAside(_ event: NormalizedEvent, order: String, channel: String, reader: Reader, reason: String) async throws {
        try await pool.run { pool in
            try ConflictStore.recordRefusedOrder(
                channel: channel, order: order, event: event.id, type: event.kind.rawValue, run: reader.runID, error: reason, pool: pool)
        }
    }

    private func store(cursor: String, channel: String) async throws {
        _ = try await pool.run { pool in
            try ChannelHealthStore(pool: pool).storeOrdersCursor(cursor, channel: channel)
        }
    }

    /// Backorder (`oversold`) conflicts the imports recorded for `channel`.
    private func backordersRecorded(channel: String, since: Date) async throws -> Int {
        try await pool.run { pool in
            try ConflictStore.count(.oversold, channel: channel, since: since, pool: pool)
        }
    }
}
