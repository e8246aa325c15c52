import Foundation
import Ledger
import PostgresClient

/// A long history (issue 16): reservations/s and `verify` time on the bench catalogue, then again after loading
/// `movements` old movements (a year and more back) and taking a checkpoint. With checkpoints neither should change
/// beyond noise: writes touch indexes that grow only logarithmically, and `verify` adds only the movements after the
/// latest checkpoint. `verify --full` (every movement) is timed too, to show what the checkpoint saves.
struct HistoryBench {
    let pool: PostgresPool
    let ledger: StockLedger
    let location: String
    let skus: Int
    let log: @Sendable (String) -> Void

    struct Result {
        var reservationsBefore: Double
        var reservationsAfter: Double
        var verifyBefore: Double
        var verifyAfter: Double
        var verifyFullAfter: Double
        var loadSeconds: Double
        var checkpointSeconds: Double
        var movements: Int
    }

    func run(movements: Int, seconds: Double) throws -> Result {
        let writes = LedgerWriteBench(ledger: ledger, location: location)
        try LedgerCheckpoints(pool: pool).take()
        log("history: reservations and verify before loading …")
        let reservationsBefore = writes.writesPerSecond(.reserve, clients: 8, skus: skus, seconds: seconds)
        let verifyBefore = try timeVerify(full: false)

        log("history: loading \(movements) movements …")
        let loadStarted = Date()
        try load(movements: movements)
        let loadSeconds = Date().timeIntervalSince(loadStarted)
        log("history: checkpoint …")
        let checkpointStarted = Date()
        try LedgerCheckpoints(pool: pool).take()
        let checkpointSeconds = Date().timeIntervalSince(checkpointStarted)
        try pool.execute("VACUUM ANALYZE movements")

        log("history: reservations and verify after loading …")
        let reservationsAfter = writes.writesPerSecond(.reserve, clients: 8, skus: skus, seconds: seconds)
        let verifyAfter = try timeVerify(full: false)
        let verifyFullAfter = try timeVerify(full: true)
        return Result(
            reservationsBefore: reservationsBefore, reservationsAfter: reservationsAfter, verifyBefore: verifyBefore,
            verifyAfter: verifyAfter, verifyFullAfter: verifyFullAfter, loadSeconds: loadSeconds,
            checkpointSeconds: checkpointSeconds, movements: movements)
    }

    /// Seconds of the fastest of three `verify` runs (the least disturbed by the shared machine); throws on a mismatch.
    private func timeVerify(full: Bool) throws -> Double {
        var fastest = Double.infinity
        for _ in 0..<3 {
            let started = Date()
            let mismatches = try ledger.verify(full: full)
            guard mismatches.isEmpty else { throw BenchError(message: "verify found \(mismatches.count) mismatches") }
            fastest = min(fastest, Date().timeIntervalSince(started))
        }
        return fastest
    }

    /// Receipts of one unit spread over the catalogue, dated 500 to 365 days back, a million per statement, each
    /// level raised in the same statement by what its movements add so the ledger stays consistent.
    private func load(movements: Int) throws {
        let run = UUID().uuidString.prefix(8)
        let chunk = 1_000_000
        for start in stride(from: 0, to: movements, by: chunk) {
            let end = min(start + chunk, movements)
            _ = try pool.execute(
                """
                WITH added AS (
                    INSERT INTO movements (sku, location, delta, reason, idempotency_key, created_at)
                    SELECT format('BENCH-%s', lpad((i % $3)::text, 6, '0')), $4, 1, 'receipt', $5 || '-' || i,
                           now() - interval '500 days' + (i::float8 / $6) * interval '135 days'
                    FROM generate_series($1::bigint, $2::bigint - 1) AS i
                    RETURNING sku)
                UPDATE levels l SET on_hand = l.on_hand + counted.units
                FROM (SELECT sku, count(*)::int AS units FROM added GROUP BY sku) AS counted
                WHERE l.sku = counted.sku AND l.location = $4
                """, [start, end, skus, location, "bench-history-\(run)", movements])
            log("history: \(end) of \(movements) movements")
        }
    }
}
