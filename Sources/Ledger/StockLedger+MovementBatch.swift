import PostgresClient

/// A change of one level's on hand (a receipt, a return, a sale, an adjustment), as the group commit carries it.
struct MovementCall: Sendable {
    var change: LevelChange
    /// The operation's kind, as `operations` records it with the key.
    var kind: String
    /// The request as JSON, stored with the key (a repeat must match it).
    var request: String?

    var key: String { change.movementKey }
    var level: LevelKey { LevelKey(sku: change.sku, location: change.location) }

    /// The statement for this change and its parameters.
    var execution: (PreparedStatement, [any PostgresBindable]) {
        let parameters: [any PostgresBindable] = [
            key, kind, request, change.sku, change.location, change.delta, change.reason.rawValue, change.reference,
        ]
        return (change.delta > 0 ? StockLedger.addStockStatement : StockLedger.takeStockStatement, parameters)
    }
}

extension StockLedger {
    /// Runs movements that arrived together (see `GroupCommit`); the change for each one applied now, nil for one it
    /// leaves to the caller's transaction, which gives the stored result or the precise refusal (a key used before,
    /// too little stock, an unknown SKU or location).
    ///
    /// One alone runs its statement in autocommit. A batch runs one statement per request in one pipelined
    /// transaction, in level order (`pipelinedInLevelOrder`), so that requests for one level are each evaluated
    /// against the stock the one before left. A statement that fails (an unknown SKU's foreign key, a quantity out of
    /// range, a concurrent twin's key) fails the batch, which `GroupCommit` then runs again one request at a time;
    /// alone, such a request gets nil. One wake-up per batch at most (`WakeCoalescer`).
    static func movementBatch(_ calls: [MovementCall], pool: PostgresPool, wake: WakeCoalescer) throws -> [StockChange?] {
        guard calls.count > 1 else { return [try movementAlone(calls[0], pool: pool, wake: wake)] }
        return try pool.withConnection { connection in
            let changes = try connection.pipelinedInLevelOrder(calls, level: \.level, execution: \.execution).map(stockChange)
            if changes.contains(where: { $0 != nil }) { try? wake.wake(on: connection) }
            return changes
        }
    }

    private static func movementAlone(_ call: MovementCall, pool: PostgresPool, wake: WakeCoalescer) throws -> StockChange? {
        let (statement, parameters) = call.execution
        let change: StockChange?
        do {
            change = try pool.query(statement, parameters, stockChange)
        } catch let error as PostgresError where error.kind == .server {
            return nil
        }
        if change != nil { try? wake.wake() }
        return change
    }

    private static func stockChange(_ rows: PostgresRows) throws -> StockChange? {
        try rows.first?.decode(PostgresJSONValue<StockChange>.self, at: 0).value
    }

    /// Adds to a level, creating it if need be. $1 key, $2 kind, $3 request, $4 sku, $5 location, $6 delta (> 0),
    /// $7 reason, $8 reference.
    static let addStockStatement = PreparedStatement(
        """
        WITH level AS (
            INSERT INTO levels AS l (sku, location, on_hand, reserved)
            SELECT $4, $5, $6::int, 0 WHERE NOT EXISTS (SELECT 1 FROM operations WHERE idempotency_key = $1)
            ON CONFLICT (sku, location) DO UPDATE
                SET on_hand = l.on_hand + $6::int, version = nextval('ledger_version_seq'),
                    oversold = l.oversold AND NOT (l.on_hand + $6::int >= 0 AND l.reserved <= l.on_hand + $6::int)
            RETURNING \(LevelSnapshot.columns))
        \(recordMovementSQL)
        """)

    /// Takes from a level while `available` stays at or above zero. Parameters as `addStockStatement`'s, with a
    /// delta below zero.
    static let takeStockStatement = PreparedStatement(
        """
        WITH level AS (
            UPDATE levels AS l
                SET on_hand = l.on_hand + $6::int, version = nextval('ledger_version_seq'),
                    oversold = l.oversold AND NOT (l.on_hand + $6::int >= 0 AND l.reserved <= l.on_hand + $6::int)
            WHERE l.sku = $4 AND l.location = $5 AND l.on_hand + $6::int - l.reserved >= 0
              AND NOT EXISTS (SELECT 1 FROM operations WHERE idempotency_key = $1)
            RETURNING \(LevelSnapshot.columns))
        \(recordMovementSQL)
        """)

    /// The rest of both statements: the movement for the changed `level`, the result (`StockChange` as JSON) stored
    /// with the key, and returned.
    private static let recordMovementSQL = """
        , moved AS (
            INSERT INTO movements (sku, location, delta, reserved_delta, reason, reference, idempotency_key)
            SELECT sku, location, $6::int, 0, $7, $8, $1 FROM level RETURNING id),
        result AS (
            SELECT jsonb_build_object('movementIds', jsonb_build_array(moved.id),
                                      'levels', jsonb_build_array(\(LevelSnapshot.jsonObject(of: "level")))) AS result
            FROM level, moved),
        stored AS (
            INSERT INTO operations (idempotency_key, kind, request, result) SELECT $1, $2, $3::jsonb, result FROM result)
        SELECT result FROM result
        """
}
