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
struct OrderCatchUp: Sendable {
    let pool: PostgresPool
    let applier: EventApplier

    /// Imports missed order events of `code` into `report`; records a resolved `missed_order` conflict for each.
    func run(code: String, channel: any Channel, run: ReconcileRun, report: inout ChannelReconcileReport, findings: inout FindingLog) async throws {
        let pool = self.pool
        let started = Date()
        var cursor = try await pool.run { pool in
            try ChannelHealthStore(pool: pool).ordersCursor(channel: code)
        }
        while true {
            let page: Page<NormalizedEvent>
            do {
                page = try await channel.fetchOrders(since: cursor)
            } catch  where error.kind == .unsupported {
                return
            } catch {
                report.errors.append("orders after cursor \(cursor ?? "(start)"): \(error)")
                return
            }
            for event in page.items {
                guard let order = event.orderRef, try await isMissed(event, order: order, channel: code) else { continue }
                report.missedOrders += 1
                var resolution = run.dryRun ? "would import \(event.kind.rawValue)" : "imported \(event.kind.rawValue)"
                if !run.dryRun {
                    do {
                        try await importEvent(event, order: order, channel: code, run: run)
                    } catch let refusal as LedgerError {
                        resolution = "not imported: \(refusal)"
                        try await setAside(event, order: order, channel: code, run: run, reason: refusal.description)
                    }
                }
                findings.add(ReconcileFinding(kind: .missedOrder, channel: code, orders: [order], resolution: resolution))
            }
            if !run.dryRun, let next = page.nextCursor, next != cursor { try await store(cursor: next, channel: code) }
            guard page.hasMore, let next = page.nextCursor, next != cursor else { break }
            cursor = next
        }
        if !run.dryRun { report.oversold += try await backordersRecorded(channel: code, since: started) }
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

    private func importEvent(_ event: NormalizedEvent, order: String, channel: String, run: ReconcileRun) async throws {
        let applier = self.applier
        try await pool.run { pool in
            try applier.apply(event, channel: channel)
            try ConflictStore.record(
                .missedOrder, channel: channel, detail: ["order": order, "event": event.id, "type": event.kind.rawValue, "run": run.id],
                resolution: "imported by reconcile", pool: pool)
            // An earlier refusal of this event, set aside for an operator, is settled now.
            try ConflictStore.resolveMissedOrder(channel: channel, order: order, type: event.kind.rawValue, pool: pool)
        }
    }

    /// Records the refused order as an open conflict for an operator, unless one is already open for it.
    private func setAside(_ event: NormalizedEvent, order: String, channel: String, run: ReconcileRun, reason: String) async throws {
        try await pool.run { pool in
            try ConflictStore.recordRefusedOrder(
                channel: channel, order: order, event: event.id, type: event.kind.rawValue, run: run.id, error: reason, pool: pool)
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
