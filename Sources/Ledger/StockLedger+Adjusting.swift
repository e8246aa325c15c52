import PostgresClient

extension StockLedger {
    private struct AdjustRequest: Codable, Sendable {
        var sku: String
        var location: String
        var delta: Int
        var reason: String
        var reference: String?
    }

    private struct CountRequest: Codable, Sendable {
        var sku: String
        var location: String
        var onHand: Int
        var reference: String?
    }

    /// Changes on hand by a signed amount with a free-text reason (damaged, found, …).
    /// A decrease that would take `available` below zero is refused.
    package func adjust(
        sku: String, location: String, delta: Int, reason: String, reference: String? = nil, key: String
    ) throws -> StockChange {
        try QuantityRange.requireDelta(delta)
        let request = AdjustRequest(sku: sku, location: location, delta: delta, reason: reason, reference: reference)
        let change = LevelChange(
            sku: sku, location: location, delta: delta, reason: .adjustment,
            reference: reference.map { "\(reason): \($0)" } ?? reason, movementKey: key)
        return try record(change, kind: "adjustment", request: request, requested: -delta)
    }

    /// Sets on hand to a physical count, recording the difference as a `count` movement.
    ///
    /// The count is authoritative: if it leaves fewer units than are reserved, the level is flagged
    /// oversold and a conflict is recorded (`pickup_shortfall` when pickup reservations are affected,
    /// else `oversold`), naming the reservations involved.
    package func count(sku: String, location: String, onHand: Int, reference: String? = nil, key: String) throws -> StockChange {
        try QuantityRange.requireNonNegative(onHand, "on_hand")
        let request = CountRequest(sku: sku, location: location, onHand: onHand, reference: reference)
        return try idempotent(key: key, kind: "count", request: request) { connection in
            let current = try connection.query(
                "SELECT \(LevelSnapshot.columns) FROM levels WHERE sku = $1 AND location = $2 FOR UPDATE", [sku, location]
            ).first.map { try LevelSnapshot(row: $0) }
            let delta = onHand - (current?.onHand ?? 0)
            if delta == 0 {
                if let current { return StockChange(movementIDs: [], levels: [current]) }
                // No level yet and a count of zero: nothing to record, but the names must exist.
                if case let refusal = try explainRefusal(sku: sku, location: location, requested: 0, on: connection),
                    refusal != .insufficientStock(sku: sku, location: location, requested: 0, available: 0)
                {
                    throw refusal
                }
                return StockChange(movementIDs: [], levels: [])
            }
            let rows = try connection.query(
                """
                WITH level AS (
                    INSERT INTO levels AS l (sku, location, on_hand, reserved) VALUES ($1, $2, $3, 0)
                    ON CONFLICT (sku, location) DO UPDATE
                        SET on_hand = $3, version = nextval('ledger_version_seq'),
                            oversold = NOT ($3 >= 0 AND l.reserved <= $3)
                    RETURNING \(LevelSnapshot.columns)),
                moved AS (
                    INSERT INTO movements (sku, location, delta, reason, reference, idempotency_key)
                    SELECT sku, location, $4, 'count', $5, $6 FROM level RETURNING id)
                SELECT level.*, moved.id FROM level, moved
                """, [sku, location, onHand, delta, reference, key])
            let level = try LevelSnapshot(row: rows[0])
            if level.oversold {
                try recordShortfall(level: level, reference: reference, on: connection)
            }
            return StockChange(movementIDs: [try rows[0].decode(Int64.self, at: 6)], levels: [level])
        }
    }

    /// Records the conflict left by a count below reservations.
    func recordShortfall(level: LevelSnapshot, reference: String?, on connection: PostgresConnection) throws {
        try ConflictStore.recordCountShortfall(
            sku: level.sku, location: level.location, onHand: level.onHand, reserved: level.reserved, reference: reference, on: connection)
    }
}
