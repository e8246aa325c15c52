import Foundation
import Ledger
import PostgresClient

/// A click-and-collect store holding fewer units of a SKU than its active pickup reservations promise.
struct PickupShortfall: Sendable, Equatable {
    var sku: String
    var store: String
    /// On hand at the store (the ledger's, or the count a dry run would record).
    var onHand: Int
    /// Units promised to active pickup reservations.
    var promised: Int
    /// The reservations affected and their orders.
    var reservationIDs: [String]
    var orders: [String]

    var missing: Int { promised - onHand }
}

/// Finds pickup shortfalls, proposes transfers to cover them, flags the affected orders and makes the
/// store endpoint hold its pickup reservations and every channel show the corrected pickup availability.
struct PickupShortfalls: Sendable {
    let pool: PostgresPool
    /// Distances between locations: `distances[store][location]` (smaller is nearer).
    let distances: [String: [String: Int]]

    /// Shortfalls among `levels` at click-and-collect stores; `counted` (dry runs) stands in for the ledger's on hand.
    func find(_ levels: [(sku: String, store: String, counted: Int?)]) throws -> [PickupShortfall] {
        guard !levels.isEmpty else { return [] }
        return try pool.query(
            """
            SELECT p.sku, p.store, COALESCE(p.counted, l.on_hand, 0), sum(r.quantity)::int,
                   jsonb_agg(r.id ORDER BY r.created_at), jsonb_agg(COALESCE(r.external_ref, r.id) ORDER BY r.created_at)
            FROM unnest($1::text[], $2::text[], $3::int[]) AS p(sku, store, counted)
            JOIN locations loc ON loc.code = p.store AND loc.click_and_collect
            JOIN reservations r ON r.sku = p.sku AND r.location = p.store AND r.status = 'active' AND r.kind = 'pickup'
            LEFT JOIN levels l ON l.sku = p.sku AND l.location = p.store
            GROUP BY p.sku, p.store, p.counted, l.on_hand
            HAVING COALESCE(p.counted, l.on_hand, 0) < sum(r.quantity)
            """, [levels.map(\.sku), levels.map(\.store), levels.map(\.counted)]
        ) { rows in
            try rows.map { row in
                PickupShortfall(
                    sku: try row.decode(at: 0), store: try row.decode(at: 1), onHand: try row.decode(at: 2),
                    promised: try row.decode(at: 3), reservationIDs: try row.decode(PostgresJSONValue<[String]>.self, at: 4).value,
                    orders: try row.decode(PostgresJSONValue<[String]>.self, at: 5).value)
            }
        }
    }

    /// The nearest location (by the distance table) with available units of the SKU, preferring one that
    /// covers the whole shortfall; any location with available units when the table knows none of them.
    func proposal(for shortfall: PickupShortfall) throws -> TransferProposal? {
        let candidates = try pool.query(
            """
            SELECT location, on_hand - reserved FROM levels
            WHERE sku = $1 AND location <> $2 AND NOT oversold AND on_hand - reserved > 0
            """, [shortfall.sku, shortfall.store]
        ) { rows in try rows.map { (location: try $0.decode(String.self, at: 0), available: try $0.decode(Int.self, at: 1)) } }
        let table = distances[shortfall.store] ?? [:]
        let ranked = candidates.sorted {
            let (left, right) = (table[$0.location] ?? .max, table[$1.location] ?? .max)
            return left != right ? left < right : ($0.available != $1.available ? $0.available > $1.available : $0.location < $1.location)
        }
        guard let best = ranked.first(where: { $0.available >= shortfall.missing }) ?? ranked.first else { return nil }
        return TransferProposal(from: best.location, quantity: min(best.available, shortfall.missing), distance: table[best.location])
    }

    /// Flags the shortfall (the open `pickup_shortfall` conflict the count recorded gets the proposal,
    /// or one is recorded), re-pushes the affected reservations to the store endpoint and the store's
    /// pickup availability to every channel.
    func flag(_ shortfall: PickupShortfall, proposal: TransferProposal?, run: ReconcileRun) throws {
        let extra = PostgresJSON(ShortfallDetail(run: run.id, transfer: proposal, orders: shortfall.orders))
        try pool.transaction { connection in
            try ConflictStore.flagPickupShortfall(
                sku: shortfall.sku, store: shortfall.store, detail: extra, onHand: shortfall.onHand, promised: shortfall.promised, on: connection)
            try ReservationOutboxStore.holdAgain(where: "r.id = ANY ($1::text[])", [shortfall.reservationIDs], on: connection)
            try OutboxStore.pushAgain(sku: shortfall.sku, scope: shortfall.store, on: connection)
        }
        try WakeAfterCommit.send(.outbox, pool: pool)
    }

    /// Asks the store endpoint `channel` to hold every active pickup reservation at its stores again
    /// (idempotent at the endpoint); returns how many. A dry run only counts them.
    func refreshHolds(channel: String, dryRun: Bool) throws -> Int {
        let stores = "r.location IN (SELECT location FROM channel_locations WHERE channel = $1)"
        if dryRun {
            return try pool.query(
                "SELECT count(*) FROM reservations r WHERE r.status = 'active' AND r.kind = 'pickup' AND \(stores)", [channel]
            ) { try $0[0].decode(Int.self, at: 0) }
        }
        let held = try pool.transaction { connection in
            try ReservationOutboxStore.holdAgain(where: stores + " AND c.code = $1", [channel], on: connection)
        }
        if held > 0 { try WakeAfterCommit.send(.outbox, pool: pool) }
        return held
    }
}

/// What reconcile adds to a `pickup_shortfall` conflict.
private struct ShortfallDetail: Encodable, Sendable {
    var run: Int64
    var transfer: TransferProposal?
    var orders: [String]
}
