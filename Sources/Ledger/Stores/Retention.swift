import Foundation
import PostgresClient

/// How long finished records are kept, in seconds (config `[retention]`). Nothing open is ever removed: pending or
/// set-aside inbox events, unfinished pushes, open conflicts, running reconciles.
package struct RetentionPolicy: Sendable, Equatable {
    /// Processed and ignored webhook events. They are also the deduplication record, so keep them well beyond the
    /// longest redelivery window of any vendor (Shopify retries for 48 hours).
    package var inbox: Double
    /// Finished reservation pushes (`reservation_outbox` rows marked done).
    package var outboxHistory: Double
    /// Completed and failed reconcile runs with their reports.
    package var reconcileRuns: Double
    /// Resolved conflicts.
    package var conflicts: Double
    /// Movements older than this move to `movements_archive` (one partition per month) once a checkpoint covers them.
    /// Their idempotency keys go with them: a request retried after this long is taken as new.
    package var movements: Double
    /// How often a ledger checkpoint is taken.
    package var checkpointInterval: Double

    package init(
        inbox: Double = 30 * 86_400, outboxHistory: Double = 7 * 86_400, reconcileRuns: Double = 90 * 86_400, conflicts: Double = 90 * 86_400,
        movements: Double = 400 * 86_400, checkpointInterval: Double = 86_400
    ) {
        self.inbox = inbox
        self.outboxHistory = outboxHistory
        self.reconcileRuns = reconcileRuns
        self.conflicts = conflicts
        self.movements = movements
        self.checkpointInterval = checkpointInterval
    }
}

/// What one retention run removed, archived and checkpointed.
package struct RetentionReport: Sendable, Equatable {
    package var inbox = 0
    package var outboxHistory = 0
    package var reconcileRuns = 0
    package var conflicts = 0
    package var archivedMovements = 0
    /// The checkpoint taken by this run, if one was due.
    package var checkpoint: LedgerCheckpoint?
}

/// Bounded growth: deletes finished records older than the policy says, in batches (each its own short transaction),
/// takes a ledger checkpoint when one is due, and archives old movements a checkpoint covers.
package struct Retention: Sendable {
    package let pool: PostgresPool
    package let policy: RetentionPolicy
    /// Rows per transaction.
    package var batchSize = 10_000

    package init(pool: PostgresPool, policy: RetentionPolicy) {
        self.pool = pool
        self.policy = policy
    }

    /// One full run.
    package func run() throws -> RetentionReport {
        var report = RetentionReport()
        let checkpoints = LedgerCheckpoints(pool: pool)
        let latest = try checkpoints.latest()
        if latest.map({ Date().timeIntervalSince($0.takenAt) >= policy.checkpointInterval }) ?? true {
            report.checkpoint = try checkpoints.take()
        }
        report.inbox = try deleteInBatches(
            from: "inbox", key: "id", finished: "status IN ('processed', 'ignored')", at: "processed_at", olderThan: policy.inbox)
        report.outboxHistory = try deleteInBatches(
            from: "reservation_outbox", key: "ctid", finished: "done", at: "changed_at", olderThan: policy.outboxHistory)
        report.reconcileRuns = try deleteInBatches(
            from: "reconcile_runs", key: "id", finished: "status IN ('completed', 'failed')", at: "finished_at",
            olderThan: policy.reconcileRuns)
        report.conflicts = try deleteInBatches(
            from: "conflicts", key: "id", finished: "resolved_at IS NOT NULL", at: "resolved_at", olderThan: policy.conflicts)
        if let covered = report.checkpoint ?? latest {
            report.archivedMovements = try MovementArchive(pool: pool, batchSize: batchSize).archive(
                olderThan: policy.movements, through: covered.throughMovement)
        }
        return report
    }

    /// Deletes the rows of `table` that are `finished` and whose `at` column is more than `seconds` old, `batchSize` at a
    /// time (each batch found by `key`); returns how many.
    private func deleteInBatches(from table: String, key: String, finished: String, at column: String, olderThan seconds: Double) throws -> Int {
        var total = 0
        while true {
            let deleted = try pool.execute(
                """
                DELETE FROM \(table) WHERE \(key) IN (
                    SELECT \(key) FROM \(table) WHERE \(finished) AND \(column) < now() - make_interval(secs => $1) LIMIT \(batchSize))
                """, [seconds])
            total += deleted
            if deleted < batchSize { return total }
        }
    }
}
