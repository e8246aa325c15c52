import Foundation
import PostgresClient

extension StockLedger {
    private struct ReservationStateRequest: Codable, Sendable {
        var reservation: String
        var action: String
    }

    /// Holds units for a checkout, an order or a pickup. Refused with `insufficientStock` when
    /// `available` is too low; race-free, since the check and the change are one conditional UPDATE.
    public func reserve(_ request: ReservationRequest, key: String) throws -> ReservationReceipt {
        try Self.requirePositive(request.quantity)
        return try idempotent(key: key, kind: "reserve", request: request) { connection in
            let id = ReservationID.make()
            let change = LevelChange(
                sku: request.sku, location: request.location, delta: 0, reservedDelta: request.quantity,
                reason: .reservation, reference: id, movementKey: key)
            let (level, _) = try applyOrExplain(change, requested: request.quantity, on: connection)
            let rows = try connection.query(
                """
                INSERT INTO reservations (id, sku, location, quantity, kind, channel, external_ref, expires_at, idempotency_key)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                RETURNING \(Reservation.columns)
                """,
                [id, request.sku, request.location, request.quantity, request.kind.rawValue, request.channel,
                 request.externalRef, request.expiresAt, key])
            return ReservationReceipt(reservation: try Reservation(row: rows[0]), level: level)
        }
    }

    /// Gives the units back. Releasing a reservation that is already released or expired changes nothing.
    public func release(reservationID: String, key: String? = nil) throws -> ReservationReceipt {
        try finish(reservationID: reservationID, to: .released, reason: .release, key: key ?? "release:\(reservationID)")
    }

    /// Turns the reservation into a sale: on hand and reserved both drop by its quantity.
    public func commit(reservationID: String, key: String? = nil) throws -> ReservationReceipt {
        try finish(reservationID: reservationID, to: .committed, reason: .reservationCommit, key: key ?? "commit:\(reservationID)")
    }

    /// Expires up to `limit` active reservations whose time is past; returns them.
    /// Safe to run on several replicas at once: rows are claimed with SKIP LOCKED.
    public func expireDueReservations(now: Date = Date(), limit: Int = 500) throws -> [Reservation] {
        try pool.transaction { connection in
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
    }

    /// Looks a reservation up by id.
    public func reservation(id: String) throws -> Reservation? {
        try pool.query("SELECT \(Reservation.columns) FROM reservations WHERE id = $1", [id]) { rows in
            try rows.first.map(Reservation.init(row:))
        }
    }

    /// Active reservations for a channel's order reference.
    public func activeReservations(channel: String, externalRef: String) throws -> [Reservation] {
        try pool.query(
            "SELECT \(Reservation.columns) FROM reservations WHERE channel = $1 AND external_ref = $2 AND status = 'active' ORDER BY id",
            [channel, externalRef]
        ) { rows in try rows.map(Reservation.init(row:)) }
    }

    private func finish(
        reservationID: String, to status: ReservationStatus, reason: MovementReason, key: String
    ) throws -> ReservationReceipt {
        let request = ReservationStateRequest(reservation: reservationID, action: status.rawValue)
        return try idempotent(key: key, kind: status.rawValue, request: request) { connection in
            let rows = try connection.query(
                """
                UPDATE reservations SET status = $2, updated_at = now()
                WHERE id = $1 AND status = 'active'
                RETURNING \(Reservation.columns)
                """, [reservationID, status.rawValue])
            guard let row = rows.first else {
                let current = try connection.query(
                    "SELECT \(Reservation.columns) FROM reservations WHERE id = $1", [reservationID]
                ).first.map(Reservation.init(row:))
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
