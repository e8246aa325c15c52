import Foundation
import PostgresClient

/// The `movements_archive` table: movements older than the retention move there, one partition per calendar month
/// (UTC, `movements_archive_YYYY_MM`, created as needed), in batches that each copy and delete in one transaction. Only
/// movements a ledger checkpoint covers move, so `verify` (which starts from the checkpoint) never needs them; `verify
/// --full` reads them. An operator may detach a month (`ALTER TABLE movements_archive DETACH PARTITION …`), dump it and
/// drop it.
struct MovementArchive: Sendable {
    let pool: PostgresPool
    let batchSize: Int

    /// Moves movements created more than `seconds` ago with ids up to `through`, oldest first; returns how many.
    func archive(olderThan seconds: Double, through: Int64) throws -> Int {
        var total = 0
        while let moved = try archiveBatch(olderThan: seconds, through: through) {
            total += moved
        }
        return total
    }

    /// One batch from the oldest movement left; nil when that movement is too young or not covered.
    private func archiveBatch(olderThan seconds: Double, through: Int64) throws -> Int? {
        try pool.transaction { connection -> Int? in
            let oldest = try connection.query(
                """
                SELECT id FROM movements
                WHERE id = (SELECT min(id) FROM movements) AND id <= $1 AND created_at < now() - make_interval(secs => $2)
                """, [through, seconds]
            ).first.map { try $0.decode(Int64.self, at: 0) }
            guard let low = oldest else { return nil }
            let high = min(low + Int64(batchSize), through + 1)
            let range = "id >= $1 AND id < $2 AND created_at < now() - make_interval(secs => $3)"
            let parameters: [any PostgresBindable] = [low, high, seconds]
            let months = try connection.query(
                "SELECT DISTINCT to_char(date_trunc('month', created_at, 'UTC'), 'YYYY_MM') FROM movements WHERE \(range)", parameters
            ).map { try $0.decode(String.self, at: 0) }
            for month in months { try createPartition(month, on: connection) }
            try connection.query("SELECT set_config('omnistock.archiving', 'on', true)")
            try connection.query("INSERT INTO movements_archive SELECT * FROM movements WHERE \(range)", parameters)
            return try connection.query("DELETE FROM movements WHERE \(range)", parameters).affectedRows
        }
    }

    /// The archive's partition for `month` (`YYYY_MM`, read from the database), created if missing.
    private func createPartition(_ month: String, on connection: PostgresConnection) throws {
        let start = month.replacingOccurrences(of: "_", with: "-") + "-01 00:00:00+00"
        try connection.query(
            """
            CREATE TABLE IF NOT EXISTS movements_archive_\(month) PARTITION OF movements_archive
            FOR VALUES FROM ('\(start)') TO (('\(start)'::timestamptz AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC')
            """)
    }
}
