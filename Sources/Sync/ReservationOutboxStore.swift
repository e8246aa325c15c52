import ChannelVocabulary
import Foundation
import Ledger
import PostgresClient

/// A pickup reservation a store endpoint must hold (`hold`) or let go (`drop`).
package struct ReservationTask: Sendable, Equatable {
    package enum Action: String, Sendable { case hold, drop }
    package var action: Action
    package var reservation: ChannelReservation
    package var attempts: Int
}

/// The `reservation_outbox` table: pickup reservations to push to store endpoints (same lease scheme as `OutboxStore`).
/// Every write of the table from Swift is a method here; the only other writer is the trigger `reservations_enqueue_push`
/// (function `enqueue_reservation_push`, migrations 2 and 7), which queues a task when a pickup reservation's status changes.
/// It stays in `Sync` because its tasks carry the adapters' `ChannelReservation`.
package struct ReservationOutboxStore: Sendable {
    package let pool: PostgresPool
    package var lease: Double
    package var replica: Int32

    package init(pool: PostgresPool, lease: Double = 60, replica: Int32 = 0) {
        self.pool = pool
        self.lease = lease
        self.replica = replica
    }

    /// Claims up to `limit` due reservation tasks for `channel`.
    package func claimDue(channel: String, limit: Int) throws -> [ReservationTask] {
        try pool.query(
            """
            WITH due AS (
                SELECT reservation_id FROM reservation_outbox
                WHERE channel = $1 AND NOT done AND next_attempt_at <= now()
                ORDER BY changed_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            UPDATE reservation_outbox o SET next_attempt_at = now() + make_interval(secs => $3::float8), claimed_by = $4
            FROM due JOIN reservations r ON r.id = due.reservation_id
            WHERE o.reservation_id = due.reservation_id
            RETURNING o.action, r.id, r.sku, r.location, r.quantity, COALESCE(r.external_ref, r.id),
                      COALESCE(r.channel, ''), COALESCE(r.expires_at, now() + interval '7 days'), o.attempts
            """, [channel, limit, lease, replica]
        ) { rows in
            try rows.map { row in
                ReservationTask(
                    action: ReservationTask.Action(rawValue: try row.decode(at: 0)) ?? .hold,
                    reservation: ChannelReservation(
                        id: try row.decode(at: 1), sku: try row.decode(at: 2), location: try row.decode(at: 3),
                        quantity: try row.decode(at: 4), order: try row.decode(at: 5), channel: try row.decode(at: 6),
                        expiresAt: try row.decode(at: 7)),
                    attempts: try row.decode(at: 8))
            }
        }
    }

    /// Marks a task done, unless the reservation changed meanwhile (then it stays due).
    package func recordDone(_ task: ReservationTask) throws {
        try pool.execute(
            "UPDATE reservation_outbox SET done = true, last_error = NULL, attempts = 0, claimed_by = NULL WHERE reservation_id = $1 AND action = $2",
            [task.reservation.id, task.action.rawValue])
    }

    package func recordFailure(_ task: ReservationTask, error: String, delay: Double) throws {
        try pool.execute(
            """
            UPDATE reservation_outbox SET attempts = attempts + 1, last_error = left($2, 500),
                next_attempt_at = now() + make_interval(secs => $3::float8), claimed_by = NULL
            WHERE reservation_id = $1
            """, [task.reservation.id, error, delay])
    }

    /// Makes the tasks claimed by replicas that hold no liveness lock due again at once (see `OutboxStore.liveReplicas`).
    package static func releaseClaimsOfDeadReplicas(replicaLockClass: Int32, on connection: PostgresConnection) throws -> Int {
        try connection.query(
            """
            UPDATE reservation_outbox SET claimed_by = NULL, next_attempt_at = now()
            WHERE claimed_by IS NOT NULL AND claimed_by::bigint NOT IN (\(OutboxStore.liveReplicas))
            """, [replicaLockClass]
        ).affectedRows
    }

    /// Marks `hold` tasks due for the active pickup reservations matching `condition` (over `r`, the
    /// reservation, and `c`, a channel that holds reservations serving its store), as the reservation trigger would.
    @discardableResult
    package static func holdAgain(where condition: String, _ parameters: [any PostgresBindable], on connection: PostgresConnection) throws -> Int {
        try connection.query(
            """
            INSERT INTO reservation_outbox AS o (reservation_id, channel, action)
            SELECT DISTINCT ON (r.id) r.id, c.code, 'hold'
            FROM reservations r
            JOIN channel_locations cl ON cl.location = r.location
            JOIN channels c ON c.code = cl.channel AND c.holds_reservations
            JOIN locations l ON l.code = r.location AND l.kind = 'store'
            WHERE r.status = 'active' AND r.kind = 'pickup' AND \(condition)
            ORDER BY r.id, c.code
            ON CONFLICT (reservation_id) DO UPDATE
                SET action = 'hold', done = false, attempts = 0, next_attempt_at = now(), changed_at = clock_timestamp()
            """, parameters
        ).affectedRows
    }
}
