import Foundation
import PostgresClient

/// One reservation as the group commit carries it.
struct ReserveCall: Sendable {
    var key: String
    var request: ReservationRequest
    /// The id the reservation gets if it is made.
    var reservationID: String

    /// The parameters of `reserveStatement`.
    var parameters: [any PostgresBindable] {
        [
            key, PostgresJSON(request), request.sku, request.location, request.quantity, reservationID,
            request.kind.rawValue, request.channel, request.externalRef, request.expiresAt,
        ]
    }
}

extension ReserveCall {
    /// A call for `request` under `key`, with a new reservation id, once both are checked: a positive quantity in the
    /// ledger's range and a key of 1 to 300 bytes.
    init(checking request: ReservationRequest, key: String) throws {
        try QuantityRange.requirePositive(request.quantity)
        try StockLedger.requireKey(key)
        self.init(key: key, request: request, reservationID: ReservationID.make())
    }
}

extension StockLedger {
    /// Runs reservations that arrived together (see `GroupCommit`); a receipt for each one applied now, nil for one
    /// refused or whose key was used before (the caller then explains the refusal or returns the stored result).
    ///
    /// One request alone runs `reserveStatement` in autocommit, as before there was group commit. A batch runs as one
    /// statement, `reserveBatchStatement`, whatever levels it touches: the per-statement work (executor start,
    /// constraint and trigger setup, the round trip) is paid once for the batch, and each level once — one update,
    /// one outbox mark — however many of the batch's requests it serves (a hot SKU). The statement checks the keys
    /// itself, so a key repeated within the batch or used before refuses just that request; anything that fails it
    /// (a concurrent twin's key, a lost connection) fails the whole batch, which `GroupCommit` then runs again one
    /// request at a time. One wake-up per batch at most (`WakeCoalescer`).
    static func reserveBatch(_ calls: [ReserveCall], pool: PostgresPool, wake: WakeCoalescer) throws -> [ReservationReceipt?] {
        guard calls.count > 1 else { return [try reserveAlone(calls[0], pool: pool, wake: wake)] }
        return try pool.withConnection { connection in
            let requests = calls.map(\.request)
            let parameters: [any PostgresBindable] = [
                calls.map(\.key), requests.map { PostgresJSON($0).postgresText }, requests.map(\.sku), requests.map(\.location),
                requests.map(\.quantity), calls.map(\.reservationID), requests.map(\.kind.rawValue), requests.map(\.channel),
                requests.map(\.externalRef), requests.map(\.expiresAt),
            ]
            let receipts = try receiptsByPosition(connection.query(reserveBatchStatement, parameters), count: calls.count)
            if receipts.contains(where: { $0 != nil }) { try? wake.wake(on: connection) }
            return receipts
        }
    }

    /// Makes `requests` as one batch at once, without gathering: the statement a gathered batch runs, driven
    /// directly. Returns how many were made (a request refused for stock or whose key was used before is not made,
    /// and not explained). For the bench's ceiling of that statement; callers reserve through `reserve(_:key:)`.
    package func reserveAsOneBatch(_ requests: [(request: ReservationRequest, key: String)]) throws -> Int {
        let calls = try requests.map { try ReserveCall(checking: $0.request, key: $0.key) }
        guard !calls.isEmpty else { return 0 }
        return try Self.reserveBatch(calls, pool: pool, wake: outboxWake).count { $0 != nil }
    }

    private static func reserveAlone(_ call: ReserveCall, pool: PostgresPool, wake: WakeCoalescer) throws -> ReservationReceipt? {
        let receipt: ReservationReceipt?
        do {
            receipt = try pool.query(reserveStatement, call.parameters) { rows in try rows.first.map { try ReservationReceipt(row: $0) } }
        } catch let error as PostgresError where error.sqlState == SQLState.uniqueViolation {
            return nil  // a concurrent twin with the same key committed first
        }
        if receipt != nil { try? wake.wake() }
        return receipt
    }

    /// `reserveStatement` for a batch, in one statement: arrays of keys, requests, SKUs, locations, quantities,
    /// reservation ids, kinds, channels, external refs and expiries ($1…$10, one element per request). Returns each
    /// reservation made as its request's position (from 1) and its receipt's columns
    /// (`ReservationReceipt.columns(reservation:level:)`).
    ///
    /// The levels are locked in (sku, location) order, so concurrent batches cannot deadlock. The requests for one
    /// level are then walked in arrival order (`walk`, recursive): each is accepted when the units the ones before it
    /// left cover it, as if they had come one after the other, so a large request refused does not stop a smaller
    /// one behind it. Each level is updated once by the sum it accepted. Each receipt shows the level as its own
    /// request left it (reserved counted through that request) with the batch's one new version of that level.
    static let reserveBatchStatement = PreparedStatement(
        """
        WITH RECURSIVE input AS (
            SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[],
                                 $8::text[], $9::text[], $10::timestamptz[])
                WITH ORDINALITY AS r(key, request, sku, location, quantity, id, kind, channel, external_ref, expires_at, position)),
        fresh AS (
            SELECT DISTINCT ON (key) * FROM input
            WHERE NOT EXISTS (SELECT 1 FROM operations WHERE idempotency_key = input.key)
            ORDER BY key, position),
        locked AS MATERIALIZED (
            SELECT l.sku, l.location, l.on_hand, l.reserved, l.oversold FROM levels AS l
            WHERE (l.sku, l.location) IN (SELECT sku, location FROM fresh)
            ORDER BY l.sku, l.location FOR UPDATE),
        queued AS MATERIALIZED (
            SELECT fresh.*, row_number() OVER (PARTITION BY fresh.sku, fresh.location ORDER BY fresh.position) AS turn,
                locked.on_hand, locked.reserved AS reserved_before, locked.oversold AS oversold_before,
                locked.on_hand - locked.reserved AS free
            FROM fresh JOIN locked ON locked.sku = fresh.sku AND locked.location = fresh.location),
        walk (sku, location, turn, accepted, left_after) AS (
            SELECT sku, location, turn, free >= quantity, free - CASE WHEN free >= quantity THEN quantity ELSE 0 END
            FROM queued WHERE turn = 1
            UNION ALL
            SELECT q.sku, q.location, q.turn, w.left_after >= q.quantity,
                w.left_after - CASE WHEN w.left_after >= q.quantity THEN q.quantity ELSE 0 END
            FROM walk AS w JOIN queued AS q ON q.sku = w.sku AND q.location = w.location AND q.turn = w.turn + 1),
        accepted AS MATERIALIZED (
            SELECT q.*, q.reserved_before + sum(q.quantity) OVER (PARTITION BY q.sku, q.location ORDER BY q.turn) AS reserved_after
            FROM queued AS q
            JOIN walk AS w ON w.sku = q.sku AND w.location = q.location AND w.turn = q.turn AND w.accepted),
        changed AS (
            UPDATE levels AS l SET reserved = l.reserved + t.total, version = nextval('ledger_version_seq'),
                oversold = l.oversold AND NOT (l.on_hand >= 0 AND l.reserved + t.total <= l.on_hand)
            FROM (SELECT sku, location, sum(quantity) AS total FROM accepted GROUP BY sku, location) AS t
            WHERE l.sku = t.sku AND l.location = t.location
            RETURNING l.sku, l.location, l.version),
        moved AS (
            INSERT INTO movements (sku, location, delta, reserved_delta, reason, reference, idempotency_key)
            SELECT sku, location, 0, quantity, 'reservation', id, key FROM accepted ORDER BY position),
        held AS (
            INSERT INTO reservations (id, sku, location, quantity, kind, channel, external_ref, expires_at, idempotency_key)
            SELECT id, sku, location, quantity, kind, channel, external_ref, expires_at, key FROM accepted ORDER BY position
            RETURNING *),
        leveled AS (
            SELECT a.position, a.key, a.request, a.id, a.sku, a.location, a.on_hand, a.reserved_after AS reserved,
                changed.version, a.oversold_before AND NOT (a.on_hand >= 0 AND a.reserved_after <= a.on_hand) AS oversold
            FROM accepted AS a
            JOIN changed ON changed.sku = a.sku AND changed.location = a.location),
        stored AS (
            INSERT INTO operations (idempotency_key, kind, request, result)
            SELECT level.key, 'reserve', level.request, \(receiptJSON) FROM leveled AS level JOIN held ON held.id = level.id)
        SELECT level.position, \(ReservationReceipt.columns(reservation: "held", level: "level"))
        FROM leveled AS level JOIN held ON held.id = level.id
        """)

    /// One receipt per request of a batch of `count`, from rows of (position from 1, the receipt's columns): nil for a
    /// request without a row.
    static func receiptsByPosition(_ rows: PostgresRows, count: Int) throws -> [ReservationReceipt?] {
        var receipts = [ReservationReceipt?](repeating: nil, count: count)
        for row in rows {
            let position = try row.decode(Int.self, at: 0)
            guard receipts.indices.contains(position - 1) else { throw LedgerError.invalidArgument("no request \(position) in the batch") }
            receipts[position - 1] = try ReservationReceipt(row: row, offset: 1)
        }
        return receipts
    }
}
