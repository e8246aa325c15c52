import Dispatch
import Ledger
import Logging
import PostgresClient

/// Leadership and liveness among replicas, on one connection per replica.
///
/// Every replica holds a session advisory lock on its own id, so the others can see it is alive.
/// Whoever also holds the leader lock leads; if the leader dies its connection closes, both locks are
/// freed and another replica takes over on its next check (every `checkInterval` seconds). The leader
/// hands back, at each check, the outbox claims of replicas that are no longer alive.
public final class LeaderLock: @unchecked Sendable {
    static let key: Int64 = 0x6F6D_6E69_6C65_6164  // "omnilead"
    /// First key of the two-key advisory locks that mark live replicas.
    static let replicaClass: Int32 = 0x6F6D_6E69  // "omni"

    private let conninfo: String
    /// This replica's id, as recorded on its claims.
    public let replica: Int32
    private let checkInterval: Double
    private let contact: DatabaseContact
    private let logger: Logger
    private let queue = DispatchQueue(label: "omnistock.leader")
    private let onChange: @Sendable (Bool) -> Void
    private var connection: PostgresConnection?
    private var timer: (any DispatchSourceTimer)?
    private(set) var isLeader = false

    public init(
        conninfo: String, replica: Int32, checkInterval: Double = 2, contact: DatabaseContact = DatabaseContact(), logger: Logger,
        onChange: @escaping @Sendable (Bool) -> Void
    ) {
        self.contact = contact
        self.conninfo = conninfo
        self.replica = replica
        self.checkInterval = checkInterval
        self.logger = logger
        self.onChange = onChange
    }

    /// Starts checking; the first check runs at once.
    public func start() {
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now(), repeating: checkInterval)
        source.setEventHandler { [weak self] in self?.check() }
        timer = source
        source.resume()
    }

    /// Stops checking and gives up the lock.
    public func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
            if isLeader { _ = try? connection?.query("SELECT pg_advisory_unlock($1)", [Self.key]) }
            connection = nil
            setLeader(false)
        }
    }

    private func check() {
        do {
            if connection == nil || connection?.isOpen == false {
                let fresh = try PostgresConnection(conninfo: conninfo)
                try fresh.query("SELECT pg_advisory_lock($1::int, $2::int)", [Self.replicaClass, replica])
                connection = fresh
                setLeader(false)
            }
            guard let connection else { return }
            if !isLeader {
                let acquired = try connection.query("SELECT pg_try_advisory_lock($1)", [Self.key])[0].decode(Bool.self, at: 0)
                if acquired { setLeader(true) }
            }
            if isLeader { try releaseClaimsOfDeadReplicas(on: connection) }
            contact.succeeded()
        } catch {
            logger.warning("leader check failed", metadata: ["error": "\(error)"])
            contact.failed()
            connection = nil
            setLeader(false)
        }
    }

    /// Makes targets claimed by replicas that hold no liveness lock due again at once.
    private func releaseClaimsOfDeadReplicas(on connection: PostgresConnection) throws {
        let released = [
            ("outbox", try OutboxStore.releaseClaimsOfDeadReplicas(replicaLockClass: Self.replicaClass, on: connection)),
            ("reservation_outbox", try ReservationOutboxStore.releaseClaimsOfDeadReplicas(replicaLockClass: Self.replicaClass, on: connection)),
        ]
        for (table, released) in released {
            if released > 0 {
                logger.info("handed back claims of a replica that stopped", metadata: ["table": "\(table)", "targets": "\(released)"])
                try WakeAfterCommit.send(.outbox, on: connection)
            }
        }
    }

    private func setLeader(_ leader: Bool) {
        guard leader != isLeader else { return }
        isLeader = leader
        logger.info(leader ? "this replica is now the leader" : "this replica is no longer the leader")
        onChange(leader)
    }
}
