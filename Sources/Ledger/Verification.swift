import PostgresClient

/// A level that does not match what its movements and reservations say.
package struct LevelMismatch: Codable, Sendable, Equatable, CustomStringConvertible {
    package var sku: String
    package var location: String
    /// What `levels` holds.
    package var onHand: Int
    package var reserved: Int
    /// The sum of the movements' deltas.
    package var movementsOnHand: Int
    /// The sum of the movements' reserved deltas.
    package var movementsReserved: Int
    /// The sum of the active reservations' quantities.
    package var activeReservations: Int

    package var description: String {
        "\(sku) @ \(location): levels on_hand=\(onHand) reserved=\(reserved); movements on_hand=\(movementsOnHand) reserved=\(movementsReserved); active reservations=\(activeReservations)"
    }
}

extension StockLedger {
    /// Recomputes every level from the movements (and reserved from the active reservations) and returns each level
    /// that differs. An empty result means the ledger is consistent.
    ///
    /// By default it starts from the latest checkpoint (``LedgerCheckpoints``) and adds the movements after it, so its
    /// time does not grow with the history; `full` sums every movement instead, archived ones included, which also
    /// checks the checkpoints themselves.
    package func verify(full: Bool = false) throws -> [LevelMismatch] {
        // The checkpoint is read first and passed as a value: behind a subquery the planner cannot see how few
        // movements follow it, and would scan the whole table.
        let checkpoint = full ? nil : try LedgerCheckpoints(pool: pool).latest()
        let moved =
            full
            ? """
            SELECT sku, location, delta AS on_hand, reserved_delta AS reserved FROM movements_archive
            UNION ALL SELECT sku, location, delta, reserved_delta FROM movements
            """
            : """
            SELECT sku, location, on_hand, reserved FROM checkpoint_levels WHERE checkpoint = $1
            UNION ALL
            SELECT sku, location, delta, reserved_delta FROM movements WHERE id > $2
            """
        let parameters: [any PostgresBindable] = full ? [] : [checkpoint?.id ?? 0, checkpoint?.throughMovement ?? 0]
        return try pool.query(
            """
            WITH moved AS (
                SELECT sku, location, sum(on_hand)::bigint AS on_hand, sum(reserved)::bigint AS reserved
                FROM (\(moved)) AS history GROUP BY sku, location),
            held AS (
                SELECT sku, location, sum(quantity)::bigint AS reserved
                FROM reservations WHERE status = 'active' GROUP BY sku, location)
            SELECT sku, location, COALESCE(l.on_hand, 0)::bigint, COALESCE(l.reserved, 0)::bigint,
                   COALESCE(m.on_hand, 0), COALESCE(m.reserved, 0), COALESCE(h.reserved, 0)
            FROM levels l
            FULL JOIN moved m USING (sku, location)
            FULL JOIN held h USING (sku, location)
            WHERE COALESCE(l.on_hand, 0) <> COALESCE(m.on_hand, 0)
               OR COALESCE(l.reserved, 0) <> COALESCE(m.reserved, 0)
               OR COALESCE(l.reserved, 0) <> COALESCE(h.reserved, 0)
            ORDER BY sku, location
            """, parameters
        ) { rows in
            try rows.map { row in
                LevelMismatch(
                    sku: try row.decode(at: 0), location: try row.decode(at: 1), onHand: try row.decode(at: 2),
                    reserved: try row.decode(at: 3), movementsOnHand: try row.decode(at: 4),
                    movementsReserved: try row.decode(at: 5), activeReservations: try row.decode(at: 6))
            }
        }
    }
}

extension StockLedger {
    /// Bundle definitions and bundle reservations that break the rules (DESIGN.md §5a), one line each: a bundle
    /// holding stock or reservations of its own (its stock is its components'), a bundle without components or
    /// with a bundle as a component, and bundle reservations whose parts are no longer held together.
    package func verifyBundles() throws -> [String] {
        try pool.query(
            """
            SELECT format('%s @ %s: a bundle holding stock of its own (on hand %s, reserved %s); receive its components instead',
                          l.sku, l.location, l.on_hand, l.reserved)
            FROM levels l WHERE l.sku IN (SELECT bundle_sku FROM bundle_components) AND (l.on_hand <> 0 OR l.reserved <> 0)
            UNION ALL
            SELECT format('%s: a bundle without components', s.sku)
            FROM skus s WHERE s.kind = 'bundle' AND NOT EXISTS (SELECT 1 FROM bundle_components b WHERE b.bundle_sku = s.sku)
            UNION ALL
            SELECT format('%s: component %s is itself a bundle', b.bundle_sku, b.component_sku)
            FROM bundle_components b WHERE b.component_sku IN (SELECT bundle_sku FROM bundle_components)
            UNION ALL
            SELECT format('bundle reservation %s (%s, order %s): %s of %s parts still held', r.group_id, min(r.bundle_sku),
                          COALESCE(min(r.external_ref), '-'), count(*) FILTER (WHERE r.status = 'active'), count(*))
            FROM reservations r WHERE r.bundle_sku IS NOT NULL
            GROUP BY r.group_id
            HAVING count(*) FILTER (WHERE r.status = 'active') NOT IN (0, count(*))
            """
        ) { rows in try rows.map { try $0.decode(String.self, at: 0) } }
    }
}
