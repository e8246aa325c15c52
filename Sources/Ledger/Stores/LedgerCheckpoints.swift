import Foundation
import PostgresClient

/// A cut through the movements: every level's sums of the movements with ids up to ``throughMovement``.
package struct LedgerCheckpoint: Sendable, Equatable {
    package var id: Int64
    /// The last movement the sums include; every movement after it has a larger id.
    package var throughMovement: Int64
    package var takenAt: Date
}

/// The `ledger_checkpoints` and `checkpoint_levels` tables. `verify` starts from the latest checkpoint and adds only the
/// movements after it, and the archiver moves only movements a checkpoint covers, so neither depends on the length of
/// the history.
///
/// The cut is clean: under a `SHARE` lock on `movements` (held only to read the largest id, and given up after
/// `lockTimeout` seconds rather than stall writers behind a long import) every transaction that drew a movement id has
/// ended, and any later movement draws a larger one.
package struct LedgerCheckpoints: Sendable {
    package let pool: PostgresPool
    /// Checkpoints kept; older ones are deleted when a new one is taken.
    static let kept = 2

    package init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The latest checkpoint, if one was taken.
    package func latest() throws -> LedgerCheckpoint? {
        try pool.query("SELECT id, through_movement, taken_at FROM ledger_checkpoints ORDER BY id DESC LIMIT 1") { rows in
            try rows.first.map { LedgerCheckpoint(id: try $0.decode(at: 0), throughMovement: try $0.decode(at: 1), takenAt: try $0.decode(at: 2)) }
        }
    }

    /// Takes a checkpoint through the last committed movement: the previous checkpoint's sums plus the movements since
    /// it. Returns nil when no movement came after the latest checkpoint.
    @discardableResult
    package func take(lockTimeout: Double = 2) throws -> LedgerCheckpoint? {
        let through: Int64 = try pool.transaction { connection in
            try connection.query("SELECT set_config('lock_timeout', $1, true)", ["\(Int(lockTimeout * 1000))ms"])
            try connection.query("LOCK TABLE movements IN SHARE MODE")
            return try connection.query("SELECT COALESCE(max(id), 0) FROM movements").first?.decode(Int64.self, at: 0) ?? 0
        }
        return try pool.transaction { connection -> LedgerCheckpoint? in
            let previous = try connection.query("SELECT id, through_movement FROM ledger_checkpoints ORDER BY id DESC LIMIT 1").first.map {
                (id: try $0.decode(Int64.self, at: 0), through: try $0.decode(Int64.self, at: 1))
            }
            guard through > (previous?.through ?? 0) else { return nil }
            guard
                let row = try connection.query(
                    "INSERT INTO ledger_checkpoints (through_movement) VALUES ($1) RETURNING id, taken_at", [through]
                ).first
            else { return nil }
            let checkpoint = LedgerCheckpoint(id: try row.decode(at: 0), throughMovement: through, takenAt: try row.decode(at: 1))
            try connection.query(
                """
                INSERT INTO checkpoint_levels (checkpoint, sku, location, on_hand, reserved)
                SELECT $1, sku, location, sum(on_hand), sum(reserved)
                FROM (SELECT sku, location, on_hand, reserved FROM checkpoint_levels WHERE checkpoint = $2
                      UNION ALL
                      SELECT sku, location, delta, reserved_delta FROM movements WHERE id > $3 AND id <= $4) AS sums
                GROUP BY sku, location
                """, [checkpoint.id, previous?.id ?? 0, previous?.through ?? 0, through])
            try connection.query(
                "DELETE FROM ledger_checkpoints WHERE id NOT IN (SELECT id FROM ledger_checkpoints ORDER BY id DESC LIMIT \(Self.kept))")
            return checkpoint
        }
    }
}
