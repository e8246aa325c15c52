import PostgresClient

/// A release or a commit of one reservation, as the group commit carries it.
struct FinishCall: Sendable {
    var key: String
    var reservationID: String
    /// `.released` or `.committed`.
    var status: ReservationStatus
}

extension StockLedger {
    /// Runs releases and commits that arrived together (see `GroupCommit`) as one statement, `finishStatement`; a
    /// receipt for each one applied now, nil for one it leaves to `finish` (a key used before, a reservation not
    /// active, unknown or part of a bundle; a second request for a reservation already in the batch).
    ///
    /// Neither a release nor a commit can be refused for stock, so the requests for one level are summed into one
    /// update of it: the level's version moves once per batch, and every receipt for that level shows it as the
    /// batch left it. A batch that fails as a whole (a concurrent twin's key, a deadlock with a twin finishing the
    /// same reservation, a lost connection) is run again one request at a time by `GroupCommit`; a request alone
    /// that meets a twin's key gets nil. One wake-up per batch at most (`WakeCoalescer`).
    static func finishBatch(_ calls: [FinishCall], pool: PostgresPool, wake: WakeCoalescer) throws -> [ReservationReceipt?] {
        let parameters: [any PostgresBindable] = [calls.map(\.key), calls.map(\.reservationID), calls.map(\.status.rawValue)]
        let receipts: [ReservationReceipt?]
        do {
            receipts = try pool.query(finishStatement, parameters) { try receiptsByPosition($0, count: calls.count) }
        } catch let error as PostgresError where calls.count == 1 && error.sqlState == SQLState.uniqueViolation {
            return [nil]  // a concurrent twin with the same key committed first
        }
        if receipts.contains(where: { $0 != nil }) { try? wake.wake() }
        return receipts
    }

    /// Finishes reservations, one per request: arrays of keys, reservation ids and the statuses to set ($1…$3).
    /// Returns each request applied as its position (from 1) and its receipt's columns.
    ///
    /// Of requests repeating a key or a reservation, the first is taken. Reservation rows are locked as they are
    /// updated, then their levels in (sku, location) order, as every ledger batch locks levels.
    static let finishStatement = PreparedStatement(
        """
        WITH input AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS r(key, id, status, position)),
        first_by_key AS (
            SELECT DISTINCT ON (key) * FROM input
            WHERE NOT EXISTS (SELECT 1 FROM operations WHERE idempotency_key = input.key)
            ORDER BY key, position),
        fresh AS (
            SELECT DISTINCT ON (id) * FROM first_by_key ORDER BY id, position),
        held AS (
            UPDATE reservations AS r SET status = fresh.status, updated_at = now()
            FROM fresh
            WHERE r.id = fresh.id AND r.status = 'active' AND r.bundle_sku IS NULL
              AND NOT EXISTS (SELECT 1 FROM reservations AS part WHERE part.group_id = r.id AND part.bundle_sku IS NOT NULL)
            RETURNING fresh.position, fresh.key, r.*),
        change AS (
            SELECT sku, location, sum(quantity) FILTER (WHERE status = 'committed') AS sold, sum(quantity) AS unheld
            FROM held GROUP BY sku, location),
        locked AS MATERIALIZED (
            SELECT change.sku, change.location, coalesce(change.sold, 0) AS sold, change.unheld
            FROM change JOIN levels AS l ON l.sku = change.sku AND l.location = change.location
            ORDER BY l.sku, l.location FOR UPDATE OF l),
        level AS (
            UPDATE levels AS l SET on_hand = l.on_hand - c.sold, reserved = l.reserved - c.unheld,
                version = nextval('ledger_version_seq'),
                oversold = l.oversold AND NOT (l.on_hand - c.sold >= 0 AND l.reserved - c.unheld <= l.on_hand - c.sold)
            FROM locked AS c
            WHERE l.sku = c.sku AND l.location = c.location
            RETURNING l.sku, l.location, l.on_hand, l.reserved, l.version, l.oversold),
        moved AS (
            INSERT INTO movements (sku, location, delta, reserved_delta, reason, reference, idempotency_key)
            SELECT sku, location, CASE status WHEN 'committed' THEN -quantity ELSE 0 END, -quantity,
                CASE status WHEN 'committed' THEN 'reservation_commit' ELSE 'release' END, coalesce(external_ref, id), key
            FROM held),
        stored AS (
            INSERT INTO operations (idempotency_key, kind, request, result)
            SELECT held.key, held.status, jsonb_build_object('reservation', held.id, 'action', held.status), \(receiptJSON)
            FROM held JOIN level ON level.sku = held.sku AND level.location = held.location)
        SELECT held.position, \(ReservationReceipt.columns(reservation: "held", level: "level"))
        FROM held JOIN level ON level.sku = held.sku AND level.location = held.location
        """)
}
