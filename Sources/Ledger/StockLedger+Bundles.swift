import Foundation
import PostgresClient

extension StockLedger {
    /// Reserves a bundle at one location: every component, in one transaction, or nothing
    /// (`insufficientStock` names the component that is short). Idempotent by `key`, like `reserve`.
    func reserveBundle(_ request: ReservationRequest, key: String) throws -> ReservationReceipt {
        try translatingDatabaseErrors {
            try idempotent(key: key, kind: "reserve", request: request) { connection in
                let sourcing = SourcingRequest(
                    channel: request.channel, externalRef: request.externalRef, kind: request.kind,
                    lines: [SourcingRequest.Line(sku: request.sku, quantity: request.quantity, location: request.location)],
                    expiresAt: request.expiresAt, strict: true)
                let parts = try source(sourcing, key: key, on: connection).reservations
                return Self.bundleReceipt(parts)
            }
        }
    }

    /// True when `sku` is a bundle with components.
    func isBundle(_ sku: String) throws -> Bool {
        try pool.query("SELECT EXISTS (SELECT 1 FROM bundle_components WHERE bundle_sku = $1)", [sku]) {
            try $0[0].decode(Bool.self, at: 0)
        }
    }

    /// The parts of the bundle reservation `id` (the group's id, or any part's), locked; empty when `id` is none.
    func bundleParts(_ id: String, on connection: PostgresConnection) throws -> [Reservation] {
        try connection.query(
            """
            SELECT \(Reservation.columns) FROM reservations
            WHERE bundle_sku IS NOT NULL
              AND group_id = COALESCE((SELECT group_id FROM reservations WHERE id = $1 AND bundle_sku IS NOT NULL), $1)
            ORDER BY sku, location FOR UPDATE
            """, [id]
        ).map { try Reservation(row: $0) }
    }

    /// Commits or releases every part of a bundle reservation together. A bundle is committed only while all
    /// its parts are held; releasing one no longer held changes nothing.
    func finishBundle(
        _ parts: [Reservation], id: String, to status: ReservationStatus, reason: MovementReason, key: String,
        on connection: PostgresConnection
    ) throws -> ReservationReceipt {
        let active = parts.filter { $0.status == .active }
        let refused = status == .committed ? active.count < parts.count : parts.contains { $0.status == .committed }
        if refused {
            throw LedgerError.reservationNotActive(id: id, status: parts.first { $0.status != .active }?.status ?? .committed)
        }
        var finished = parts
        for (index, part) in parts.enumerated() where part.status == .active {
            try connection.query("UPDATE reservations SET status = $2, updated_at = now() WHERE id = $1", [part.id, status.rawValue])
            _ = try applyOrExplain(
                LevelChange(
                    sku: part.sku, location: part.location, delta: status == .committed ? -part.quantity : 0,
                    reservedDelta: -part.quantity, reason: reason, reference: part.externalRef ?? part.id,
                    movementKey: "\(key):\(part.id)"), requested: 0, on: connection)
            finished[index].status = status
        }
        return Self.bundleReceipt(finished)
    }

    /// A receipt standing for the whole bundle: the group's id, the bundle SKU and quantity, and the parts.
    static func bundleReceipt(_ parts: [Reservation]) -> ReservationReceipt {
        let first = parts[0]
        let whole = Reservation(
            id: first.group ?? first.id, sku: first.bundleSKU ?? first.sku, location: first.location,
            quantity: first.bundleQuantity ?? first.quantity, kind: first.kind,
            status: parts.contains { $0.status == .active } ? .active : first.status,
            channel: first.channel, externalRef: first.externalRef, expiresAt: first.expiresAt, group: first.group)
        return ReservationReceipt(reservation: whole, level: nil, components: parts)
    }
}
