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

    /// The level it changes.
    var level: LevelKey { LevelKey(sku: request.sku, location: request.location) }
}

extension StockLedger {
    /// Runs reservations that arrived together (see `GroupCommit`); a receipt for each one applied now, nil for one
    /// refused or whose key was used before (the caller then explains the refusal or returns the stored result).
    ///
    /// One request alone runs `reserveStatement` in autocommit, as before there was group commit. A batch whose
    /// requests each change a different level (the common case: many SKUs, few buyers each) runs as one statement,
    /// `reserveAcrossLevelsStatement`: the per-statement work (executor start, constraint checks, the round trip) is
    /// paid once for the batch. A batch with two requests for one level (a hot SKU) runs `reserveStatement` once per
    /// request in one pipelined transaction, ordered by level, so that requests for the same level keep their arrival
    /// order, each evaluated against the stock the previous one left. Both lock levels in one order (no deadlock
    /// between batches). The statements check the key themselves, so a key repeated within the batch or used before
    /// refuses just that request; anything that fails the transaction (a concurrent twin's key, a lost connection)
    /// fails the whole batch, which `GroupCommit` then runs again one request at a time. One wake-up per batch.
    static func reserveBatch(_ calls: [ReserveCall], pool: PostgresPool) throws -> [ReservationReceipt?] {
        guard calls.count > 1 else { return [try reserveAlone(calls[0], pool: pool)] }
        return try pool.withConnection { connection in
            let receipts =
                Set(calls.map(\.level)).count == calls.count
                ? try reserveAcrossLevels(calls, on: connection) : try reservePipelined(calls, on: connection)
            if receipts.contains(where: { $0 != nil }) { try? WakeAfterCommit.send(.outbox, on: connection) }
            return receipts
        }
    }

    private static func reserveAlone(_ call: ReserveCall, pool: PostgresPool) throws -> ReservationReceipt? {
        let receipt: ReservationReceipt?
        do {
            receipt = try pool.query(reserveStatement, call.parameters) { rows in
                try rows.first?.decode(PostgresJSONValue<ReservationReceipt>.self, at: 0).value
            }
        } catch let error as PostgresError where error.sqlState == SQLState.uniqueViolation {
            return nil  // a concurrent twin with the same key committed first
        }
        if receipt != nil { try? WakeAfterCommit.send(.outbox, pool: pool) }
        return receipt
    }

    private static func reservePipelined(_ calls: [ReserveCall], on connection: PostgresConnection) throws -> [ReservationReceipt?] {
        try connection.pipelinedInLevelOrder(calls, level: \.level) { (reserveStatement, $0.parameters) }.map {
            try $0.first?.decode(PostgresJSONValue<ReservationReceipt>.self, at: 0).value
        }
    }

    private static func reserveAcrossLevels(_ calls: [ReserveCall], on connection: PostgresConnection) throws -> [ReservationReceipt?] {
        let requests = calls.map(\.request)
        let parameters: [any PostgresBindable] = [
            calls.map(\.key), requests.map { PostgresJSON($0).postgresText }, requests.map(\.sku), requests.map(\.location),
            requests.map(\.quantity), calls.map(\.reservationID), requests.map(\.kind.rawValue), requests.map(\.channel),
            requests.map(\.externalRef), requests.map(\.expiresAt),
        ]
        return try receiptsByPosition(connection.query(reserveAcrossLevelsStatement, parameters), count: calls.count)
    }

    /// `reserveStatement` for many requests, each for a different level, in one statement: arrays of keys, requests,
    /// SKUs, locations, quantities, reservation ids, kinds, channels, external refs and expiries ($1…$10, one element
    /// per request). Returns each reservation made as its request's position (from 1) and its receipt. The levels
    /// are locked in (sku, location) order, as the pipelined batch locks them.
    static let reserveAcrossLevelsStatement = PreparedStatement(
        """
        WITH input AS (
            SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[],
                                 $8::text[], $9::text[], $10::timestamptz[])
                WITH ORDINALITY AS r(key, request, sku, location, quantity, id, kind, channel, external_ref, expires_at, position)),
        fresh AS (
            SELECT DISTINCT ON (key) * FROM input
            WHERE NOT EXISTS (SELECT 1 FROM operations WHERE idempotency_key = input.key)
            ORDER BY key, position),
        locked AS MATERIALIZED (
            SELECT fresh.* FROM fresh JOIN levels AS l ON l.sku = fresh.sku AND l.location = fresh.location
            ORDER BY l.sku, l.location FOR UPDATE OF l),
        level AS (
            UPDATE levels AS l SET reserved = l.reserved + r.quantity, version = nextval('ledger_version_seq'),
                oversold = l.oversold AND NOT (l.on_hand >= 0 AND l.reserved + r.quantity <= l.on_hand)
            FROM locked AS r
            WHERE l.sku = r.sku AND l.location = r.location AND l.on_hand - l.reserved >= r.quantity
            RETURNING r.position, r.key, r.request, r.id, r.quantity AS requested, r.kind, r.channel, r.external_ref,
                r.expires_at, l.sku, l.location, l.on_hand, l.reserved, l.version, l.oversold),
        moved AS (
            INSERT INTO movements (sku, location, delta, reserved_delta, reason, reference, idempotency_key)
            SELECT sku, location, 0, requested, 'reservation', id, key FROM level),
        held AS (
            INSERT INTO reservations (id, sku, location, quantity, kind, channel, external_ref, expires_at, idempotency_key)
            SELECT id, sku, location, requested, kind, channel, external_ref, expires_at, key FROM level
            RETURNING *),
        receipt AS (
            SELECT level.position, level.key, level.request, \(receiptJSON) AS result
            FROM level JOIN held ON held.id = level.id),
        stored AS (
            INSERT INTO operations (idempotency_key, kind, request, result)
            SELECT key, 'reserve', request, result FROM receipt)
        SELECT position, result FROM receipt
        """)

    /// One receipt per request of a batch of `count`, from rows of (position from 1, receipt): nil for a request
    /// without a row.
    static func receiptsByPosition(_ rows: PostgresRows, count: Int) throws -> [ReservationReceipt?] {
        var receipts = [ReservationReceipt?](repeating: nil, count: count)
        for row in rows {
            let position = try row.decode(Int.self, at: 0)
            guard receipts.indices.contains(position - 1) else { throw LedgerError.invalidArgument("no request \(position) in the batch") }
            receipts[position - 1] = try row.decode(PostgresJSONValue<ReservationReceipt>.self, at: 1).value
        }
        return receipts
    }
}
