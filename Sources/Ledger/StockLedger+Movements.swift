import PostgresClient

/// The reason recorded on a movement.
package enum MovementReason: String, Codable, Sendable {
    case receipt, sale, `return`, adjustment, count
    case transferOut = "transfer_out", transferIn = "transfer_in"
    case reservation, release, expiry
    case reservationCommit = "reservation_commit"
}

/// One change to a level, as the ledger applies it.
struct LevelChange: Sendable {
    var sku: String
    var location: String
    /// Change of on hand.
    var delta: Int
    /// Change of reserved.
    var reservedDelta: Int = 0
    var reason: MovementReason
    var reference: String?
    /// Unique per movement; derived from the operation's key.
    var movementKey: String
}

extension StockLedger {
    /// Applies a one-level change as an idempotent operation under `change.movementKey` and returns what it did.
    ///
    /// Concurrent changes are gathered into one batch (group commit, `movementBatch`). One the batch did not apply
    /// runs again in a transaction of its own, which returns the stored result of a key used before or throws the
    /// precise refusal (`requested` is what an `insufficientStock` names).
    func record<Request: Codable & Sendable>(_ change: LevelChange, kind: String, request: Request, requested: Int) throws -> StockChange {
        try Self.requireKey(change.movementKey)
        if let applied = try movements.submit(MovementCall(change: change, kind: kind, request: PostgresJSON(request).postgresText)) {
            return applied
        }
        return try idempotent(key: change.movementKey, kind: kind, request: request) { connection in
            let (level, movement) = try applyOrExplain(change, requested: requested, on: connection)
            return StockChange(movementIDs: [movement], levels: [level])
        }
    }

    /// Writes the movement and updates its level in one statement.
    ///
    /// The update refuses (returns nil) when it would take `available` below zero; a change that
    /// does not lower `available` (a receipt, a release, a commit) always applies. A level row is
    /// created only for changes that add stock.
    func apply(_ change: LevelChange, on connection: PostgresConnection) throws -> (LevelSnapshot, Int64)? {
        let parameters: [any PostgresBindable] = [
            change.sku, change.location, change.delta, change.reservedDelta,
            change.reason.rawValue, change.reference, change.movementKey,
        ]
        let addsStock = change.delta >= 0 && change.reservedDelta == 0
        let levelStatement =
            addsStock
            ? """
            INSERT INTO levels AS l (sku, location, on_hand, reserved) VALUES ($1, $2, $3, $4)
            ON CONFLICT (sku, location) DO UPDATE
                SET on_hand = l.on_hand + $3, reserved = l.reserved + $4,
                    version = nextval('ledger_version_seq'),
                    oversold = l.oversold AND NOT (l.on_hand + $3 >= 0 AND l.reserved + $4 <= l.on_hand + $3)
            RETURNING \(LevelSnapshot.columns)
            """
            : """
            UPDATE levels AS l
                SET on_hand = l.on_hand + $3, reserved = l.reserved + $4,
                    version = nextval('ledger_version_seq'),
                    oversold = l.oversold AND NOT (l.on_hand + $3 >= 0 AND l.reserved + $4 <= l.on_hand + $3)
            WHERE l.sku = $1 AND l.location = $2
              AND ($3::int - $4::int >= 0 OR (l.on_hand + $3::int) - (l.reserved + $4::int) >= 0)
            RETURNING \(LevelSnapshot.columns)
            """
        let rows = try connection.query(
            """
            WITH level AS (\(levelStatement)),
            moved AS (
                INSERT INTO movements (sku, location, delta, reserved_delta, reason, reference, idempotency_key)
                SELECT sku, location, $3, $4, $5, $6, $7 FROM level
                RETURNING id)
            SELECT level.*, moved.id FROM level, moved
            """, parameters)
        guard let row = rows.first else { return nil }
        return (try LevelSnapshot(row: row), try row.decode(Int64.self, at: 6))
    }

    /// Applies `change` or throws the precise reason it was refused.
    func applyOrExplain(_ change: LevelChange, requested: Int, on connection: PostgresConnection) throws -> (LevelSnapshot, Int64) {
        if let applied = try apply(change, on: connection) { return applied }
        throw try explainRefusal(sku: change.sku, location: change.location, requested: requested, on: connection)
    }

    /// Why a stock-taking change found no row to update: unknown SKU, unknown location, or too little stock.
    func explainRefusal(sku: String, location: String, requested: Int, on connection: PostgresConnection) throws -> LedgerError {
        let row = try connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM skus WHERE sku = $1), EXISTS (SELECT 1 FROM locations WHERE code = $2),
                   (SELECT on_hand - reserved FROM levels WHERE sku = $1 AND location = $2)
            """, [sku, location])[0]
        guard try row.decode(Bool.self, at: 0) else { return .unknownSKU(sku) }
        guard try row.decode(Bool.self, at: 1) else { return .unknownLocation(location) }
        let available = try row.decode(Int?.self, at: 2) ?? 0
        return .insufficientStock(sku: sku, location: location, requested: requested, available: max(0, available))
    }
}
