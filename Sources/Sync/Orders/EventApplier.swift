import ChannelVocabulary
import Foundation
import Ledger
import Logging
import PostgresClient

/// Turns normalized channel events into ledger operations, idempotently: every operation's key is
/// derived from the channel, the order reference (or event id) and the line, so replays change nothing.
///
/// - order created → its lines are sourced and reserved in one transaction (`StockLedger.source`): from the
///   line's location or the pickup store first, then the channel's locations by its sourcing policy, split
///   when no single location covers a line; only the true shortfall is an `oversold` conflict (backorder),
///   never negative stock. A bundle line reserves its components.
/// - order cancelled → every active part is released; fulfilled → every part committed (sales), in one transaction.
/// - events for an order that already ended are `stale_event` conflicts and change nothing.
/// - stock counted → `count`; stock adjusted → `adjust` (a decrease below reservations becomes a count,
///   which is accepted and flagged); channel level changed → the target is pushed again (ledger wins).
package struct EventApplier: Sendable {
    let ledger: StockLedger
    let pool: PostgresPool
    /// Seconds pickup reservations are held.
    let pickupHold: Double
    /// Seconds ship-order reservations are held (0: until fulfilled or cancelled).
    let orderHold: Double

    package init(ledger: StockLedger, pickupHold: Double = 7 * 86_400, orderHold: Double = 0) {
        self.ledger = ledger
        self.pool = ledger.pool
        self.pickupHold = pickupHold
        self.orderHold = orderHold
    }

    /// Applies one event from `channel`. Throws for events that cannot be applied yet (unknown SKU, say):
    /// the caller keeps them with the error and retries.
    package func apply(_ event: NormalizedEvent, channel: String) throws {
        switch event.kind {
        case .orderCreated: try orderCreated(event, channel: channel)
        case .orderCancelled: try orderEnded(event, channel: channel, status: "cancelled")
        case .orderFulfilled: try orderEnded(event, channel: channel, status: "fulfilled")
        case .stockCounted: try stockCounted(event, channel: channel)
        case .stockAdjusted: try stockAdjusted(event, channel: channel)
        case .channelLevelChanged: try channelLevelChanged(event, channel: channel)
        }
    }

    private func orderCreated(_ event: NormalizedEvent, channel: String) throws {
        guard let order = event.orderRef else { throw LedgerError.invalidArgument("order event without an order reference") }
        let (status, applied) = try pool.query(
            """
            INSERT INTO channel_orders (channel, order_ref, status) VALUES ($1, $2, 'open')
            ON CONFLICT (channel, order_ref) DO UPDATE SET updated_at = channel_orders.updated_at
            RETURNING status, applied_at IS NOT NULL
            """, [channel, order]
        ) { (try $0[0].decode(String.self, at: 0), try $0[0].decode(Bool.self, at: 1)) }
        guard status == "open" else {
            return try recordStale(event, channel: channel, order: order, reason: "order already \(status)")
        }
        // Applied before (another delivery of the same creation, or one applied under earlier keys): nothing to do.
        guard !applied else { return }
        let pickup = event.fulfillment == .pickup
        let lines = try event.lines.filter { $0.quantity > 0 }.map { line in
            SourcingRequest.Line(sku: try resolveSKU(line, channel: channel), quantity: line.quantity, location: line.location)
        }
        let hold = pickup ? pickupHold : orderHold
        let request = SourcingRequest(
            channel: channel, externalRef: order, kind: pickup ? .pickup : .order, lines: lines,
            pickupStore: pickup ? event.pickupLocation : nil, destination: event.destination,
            expiresAt: hold > 0 ? Date().addingTimeInterval(hold) : nil)
        _ = try ledger.source(request, key: "order:\(channel):\(order)")
        try ChannelLag.orderApplied(channel: channel, order: order, occurredAt: event.occurredAt, pool: pool)
    }

    private func orderEnded(_ event: NormalizedEvent, channel: String, status: String) throws {
        guard let order = event.orderRef else { throw LedgerError.invalidArgument("order event without an order reference") }
        let previous = try pool.query(
            """
            WITH old AS (SELECT status FROM channel_orders WHERE channel = $1 AND order_ref = $2 FOR UPDATE)
            INSERT INTO channel_orders (channel, order_ref, status) VALUES ($1, $2, $3)
            ON CONFLICT (channel, order_ref) DO UPDATE SET status = $3, updated_at = now()
                WHERE channel_orders.status = 'open'
            RETURNING (SELECT status FROM old)
            """, [channel, order, status]
        ) { rows in try rows.first.map { try $0.decode(String?.self, at: 0) } }
        guard previous != nil else {
            return try recordStale(event, channel: channel, order: order, reason: "order already ended")
        }
        _ = try ledger.finishOrder(channel: channel, externalRef: order, commit: status == "fulfilled")
    }

    private func stockCounted(_ event: NormalizedEvent, channel: String) throws {
        for (index, line) in event.lines.enumerated() {
            let sku = try resolveSKU(line, channel: channel)
            guard let location = line.location else { throw LedgerError.invalidArgument("a count needs a location") }
            _ = try ledger.count(
                sku: sku, location: location, onHand: line.quantity, reference: "\(channel) count", key: "event:\(channel):\(event.id):\(index)")
        }
    }

    private func stockAdjusted(_ event: NormalizedEvent, channel: String) throws {
        for (index, line) in event.lines.enumerated() where line.quantity != 0 {
            let sku = try resolveSKU(line, channel: channel)
            guard let location = line.location else { throw LedgerError.invalidArgument("an adjustment needs a location") }
            let key = "event:\(channel):\(event.id):\(index)"
            do {
                _ = try ledger.adjust(
                    sku: sku, location: location, delta: line.quantity, reason: "\(channel) adjustment", reference: event.orderRef, key: key)
            } catch LedgerError.insufficientStock {
                // The units are physically gone: accept it as a count, which flags the shortfall.
                let onHand = try ledger.stock(sku: sku).locations.first { $0.location == location }?.onHand ?? 0
                _ = try ledger.count(
                    sku: sku, location: location, onHand: max(0, onHand + line.quantity), reference: "\(channel) adjustment", key: key + ":count")
            }
        }
    }

    private func channelLevelChanged(_ event: NormalizedEvent, channel: String) throws {
        for line in event.lines {
            let sku = try resolveSKU(line, channel: channel)
            try pool.transaction { connection in
                let scope = line.location ?? "*"
                guard try OutboxStore.pushAgain(channel: channel, sku: sku, scope: scope, channelValue: line.quantity, on: connection) else { return }
                try ConflictStore.record(
                    .drift, channel: channel, sku: sku, location: line.location == "*" ? nil : line.location,
                    detail: ["channel_value": line.quantity, "source": "webhook"], resolution: "ledger wins: pushed again", on: connection)
            }
            try ledger.wakeSyncWorkers()
        }
    }

    private func resolveSKU(_ line: NormalizedEvent.Line, channel: String) throws -> String {
        if let sku = line.sku, !sku.isEmpty { return sku }
        guard let external = line.externalID else { throw LedgerError.unknownSKU("(line without SKU)") }
        let sku = try Catalog.sku(channel: channel, externalID: external, pool: pool)
        guard let sku else { throw LedgerError.unknownSKU(external) }
        return sku
    }

    private func recordStale(_ event: NormalizedEvent, channel: String, order: String, reason: String) throws {
        try ConflictStore.record(
            .staleEvent, channel: channel, detail: ["order": order, "event": event.id, "type": event.kind.rawValue, "reason": reason],
            resolution: "ignored", pool: pool)
    }
}
