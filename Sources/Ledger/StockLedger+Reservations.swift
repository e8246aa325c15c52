import Foundation
import PostgresClient

extension StockLedger {
    private struct ReservationStateRequest: Codable, Sendable {
        var reservation: String
        var action: String
    }

    /// Holds units for a checkout, an order or a pickup. Refused with `insufficientStock` when
    /// `available` is too low; race-free, since the check and the change are one conditional UPDATE.
    ///
    /// The hot path of the ledger, so it is one statement in one round trip: the conditional update, the
    /// movement, the reservation and the stored result. Concurrent reservations are gathered into one statement
    /// (group commit, `reserveBatch`). A key already used changes nothing (the statement checks it) and the stored
    /// first result is returned instead.
    ///
    /// A bundle reserves its components at the location, all of them or none (see `reserveBundle`).
    package func reserve(_ request: ReservationRequest, key: String) throws -> ReservationReceipt {
        if let receipt = try reservations.submit(try ReserveCall(checking: request, key: key)) {
            return receipt
        }
        // Refused, or the key was used before (or by a concurrent twin that committed first).
        if try isBundle(request.sku) { return try reserveBundle(request, key: key) }
        return try pool.withConnection { connection in
            if let stored: ReservationReceipt = try storedResult(key: key, kind: "reserve", request: request, on: connection) {
                return stored
            }
            throw try explainRefusal(sku: request.sku, location: request.location, requested: request.quantity, on: connection)
        }
    }

    /// $1 key, $2 request, $3 sku, $4 location, $5 quantity, $6 reservation id, $7 kind, $8 channel, $9 external ref, $10 expiry.
    /// Returns the receipt's columns (`ReservationReceipt.columns(reservation:level:)`) when the reservation is made.
    static let reserveStatement = PreparedStatement(
        """
        WITH level AS (
            UPDATE levels AS l SET reserved = l.reserved + $5::int, version = nextval('ledger_version_seq'),
                oversold = l.oversold AND NOT (l.on_hand >= 0 AND l.reserved + $5::int <= l.on_hand)
            WHERE l.sku = $3 AND l.location = $4 AND l.on_hand - l.reserved >= $5::int
                AND NOT EXISTS (SELECT 1 FROM operations WHERE idempotency_key = $1)
            RETURNING \(LevelSnapshot.columns)),
        moved AS (
            INSERT INTO movements (sku, location, delta, reserved_delta, reason, reference, idempotency_key)
            SELECT sku, location, 0, $5::int, 'reservation', $6, $1 FROM level RETURNING id),
        held AS (
            INSERT INTO reservations (id, sku, location, quantity, kind, channel, external_ref, expires_at, idempotency_key)
            SELECT $6, sku, location, $5::int, $7, $8, $9, $10::timestamptz, $1 FROM level
            RETURNING *),
        stored AS (
            INSERT INTO operations (idempotency_key, kind, request, result)
            SELECT $1, 'reserve', $2::jsonb, \(receiptJSON) FROM level, held, moved)
        SELECT \(ReservationReceipt.columns(reservation: "held", level: "level")) FROM level, held
        """)

    /// The receipt (`ReservationReceipt` as JSON) of a reservation statement, from its rows `held` (the reservation)
    /// and `level` (the level it left).
    static let receiptJSON = """
        jsonb_build_object('reservation', \(Reservation.jsonObject(of: "held")), 'level', \(LevelSnapshot.jsonObject(of: "level")))
        """

    /// Gives the units back. Releasing a reservation that is already released or expired changes nothing.
    /// The id of a bundle reservation (or of any of its parts) releases every part.
    package func release(reservationID: String, key: String? = nil) throws -> ReservationReceipt {
        try finish(reservationID: reservationID, to: .released, reason: .release, key: key ?? "release:\(reservationID)")
    }

    /// Turns the reservation into a sale: on hand and reserved both drop by its quantity.
    /// The id of a bundle reservation (or of any of its parts) commits every part.
    package func commit(reservationID: String, key: String? = nil) throws -> ReservationReceipt {
        try finish(reservationID: reservationID, to: .committed, reason: .reservationCommit, key: key ?? "commit:\(reservationID)")
    }

    /// Expires up to `limit` active reservations whose time is past; returns them.
    /// Safe to run on several replicas at once: rows are claimed with SKIP LOCKED.
    package func expireDueReservations(now: Date = Date(), limit: Int = 500) throws -> [Reservation] {
        let expired = try pool.transaction { connection in
            let expired = try connection.query(
                """
                UPDATE reservations SET status = 'expired', updated_at = now()
                WHERE id IN (SELECT id FROM reservations
                             WHERE status = 'active' AND expires_at <= $1
                             ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                RETURNING \(Reservation.columns)
                """, [now, limit]
            ).map { try Reservation(row: $0) }
            for reservation in expired.sorted(by: { ($0.sku, $0.location) < ($1.sku, $1.location) }) {
                let change = LevelChange(
                    sku: reservation.sku, location: reservation.location, delta: 0, reservedDelta: -reservation.quantity,
                    reason: .expiry, reference: reservation.id, movementKey: "expire:\(reservation.id)")
                _ = try applyOrExplain(change, requested: 0, on: connection)
            }
            return expired
        }
        if !expired.isEmpty { try? wakeSyncWorkers() }
        return expired
    }

    /// Looks a reservation up by id.
    package func reservation(id: String) throws -> Reservation? {
        try pool.query("SELECT \(Reservation.columns) FROM reservations WHERE id = $1", [id]) { rows in
            try rows.first.map { try Reservation(row: $0) }
        }
    }

    /// Active reservations for a channel's order reference.
    package func activeReservations(channel: String, externalRef: String) throws -> [Reservation] {
        try pool.query(
            "SELECT \(Reservation.columns) FROM reservations WHERE channel = $1 AND external_ref = $2 AND status = 'active' ORDER BY id",
            [channel, externalRef]
        ) { rows in try rows.map { try Reservation(row: $0) } }
    }

    private func finish(
        reservationID: String, to status: ReservationStatus, reason: MovementReason, key: String
    ) throws -> ReservationReceipt {
        try Self.requireKey(key)
        if let receipt = try finishes.submit(FinishCall(key: key, reservationID: reservationID, status: status)) {
            return receipt
        }
        // A key used before, a reservation not active, unknown or part of a bundle: this transaction says which.
        let request = ReservationStateRequest(reservation: reservationID, action: status.rawValue)
        return try idempotent(key: key, kind: status.rawValue, request: request) { connection in
            let parts = try bundleParts(reservationID, on: connection)
            if !parts.isEmpty {
                return try finishBundle(parts, id: reservationID, to: status, reason: reason, key: key, on: connection)
            }
            let rows = try connection.query(
                """
                UPDATE reservations SET status = $2, updated_at = now()
                WHERE id = $1 AND status = 'active'
                RETURNING \(Reservation.columns)
                """, [reservationID, status.rawValue])
            guard let row = rows.first else {
                let current = try connection.query(
                    "SELECT \(Reservation.columns) FROM reservations WHERE id = $1", [reservationID]
                ).first.map { try Reservation(row: $0) }
                guard let current else { throw LedgerError.unknownReservation(reservationID) }
                // Releasing something no longer held is already done; anything else is a state error.
                if status == .released, current.status == .released || current.status == .expired {
                    return ReservationReceipt(reservation: current, level: nil)
                }
                throw LedgerError.reservationNotActive(id: reservationID, status: current.status)
            }
            let reservation = try Reservation(row: row)
            let change = LevelChange(
                sku: reservation.sku, location: reservation.location,
                delta: status == .committed ? -reservation.quantity : 0, reservedDelta: -reservation.quantity,
                reason: reason, reference: reservation.externalRef ?? reservation.id, movementKey: key)
            let (level, _) = try applyOrExplain(change, requested: 0, on: connection)
            return ReservationReceipt(reservation: reservation, level: level)
        }
    }
}
