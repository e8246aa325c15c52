import Logging
import PostgresClient

/// The leader's job of handing back, at each leadership check, the outbox claims of replicas that are no longer
/// alive (they hold no liveness lock: see ``LeaderElector``), so their targets go out again at once.
public struct ClaimRescue: Sendable {
    let pool: PostgresPool
    let logger: Logger

    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Hands back the claims of dead replicas; failures are logged (the next check tries again).
    public func run() {
        do {
            try pool.withConnection { try releaseClaimsOfDeadReplicas(on: $0) }
        } catch {
            logger.warning("could not hand back the claims of stopped replicas", metadata: ["error": "\(error)"])
        }
    }

    /// Makes targets claimed by replicas that hold no liveness lock due again at once.
    private func releaseClaimsOfDeadReplicas(on connection: PostgresConnection) throws {
        let live = """
            SELECT objid::bigint FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $1::int::oid
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        for table in ["outbox", "reservation_outbox"] {
            let released = try connection.query(
                """
                UPDATE \(table) SET claimed_by = NULL, next_attempt_at = now()
                WHERE claimed_by IS NOT NULL AND claimed_by::bigint NOT IN (\(live))
                """, [Self.replicaClass]
            ).affectedRows
            if released > 0 {
                logger.info("handed back claims of a replica that stopped", metadata: ["table": "\(table)", "targets": "\(released)"])
                try connection.query("SELECT pg_notify('omnistock_outbox', '')")
            }
        }
    }

    private static let replicaClass = LeaderElector.replicaClass
}
