import Ledger
import Logging
import PostgresClient

/// The leader's job of handing back, at each leadership check, the outbox claims of replicas that are no longer
/// alive (they hold no liveness lock: see ``LeaderElector``), so their targets go out again at once.
package struct ClaimRescue: Sendable {
    let pool: PostgresPool
    let logger: Logger

    package init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Hands back the claims of dead replicas; failures are logged (the next check tries again).
    package func run() {
        do {
            try pool.withConnection { try releaseClaimsOfDeadReplicas(on: $0) }
        } catch {
            logger.warning("could not hand back the claims of stopped replicas", metadata: ["error": "\(error)"])
        }
    }

    /// Makes targets claimed by replicas that hold no liveness lock due again at once.
    private func releaseClaimsOfDeadReplicas(on connection: PostgresConnection) throws {
        let released = [
            ("outbox", try OutboxStore.releaseClaimsOfDeadReplicas(replicaLockClass: Self.replicaClass, on: connection)),
            ("reservation_outbox", try ReservationOutboxStore.releaseClaimsOfDeadReplicas(replicaLockClass: Self.replicaClass, on: connection)),
        ]
        for (table, released) in released where released > 0 {
            logger.info("handed back claims of a replica that stopped", metadata: ["table": "\(table)", "targets": "\(released)"])
        }
        if released.contains(where: { $0.1 > 0 }) { try WakeAfterCommit.send(.outbox, on: connection) }
    }

    private static let replicaClass = LeaderElector.replicaClass
}
