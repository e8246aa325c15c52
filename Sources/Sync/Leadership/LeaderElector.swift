import Dispatch
import Logging
import PostgresClient
import ServiceLifecycle
import Synchronization

/// Leadership and liveness among replicas, on one connection per replica; it announces gains and losses and
/// does nothing else. The jobs only the leader runs (``LeaderJob``) subscribe to it.
///
/// Every replica holds a session advisory lock on its own id, so the others can see it is alive.
/// Whoever also holds the leader lock leads; if the leader dies its connection closes, both locks are
/// freed and another replica takes over on its next check (every `checkInterval` seconds).
package final class LeaderElector: Service, @unchecked Sendable {
    static let key: Int64 = 0x6F6D_6E69_6C65_6164  // "omnilead"
    /// First key of the two-key advisory locks that mark live replicas.
    static let replicaClass: Int32 = 0x6F6D_6E69  // "omni"

    private let conninfo: String
    /// This replica's id, as recorded on its claims.
    package let replica: Int32
    private let checkInterval: Double
    private let contact: DatabaseContact
    private let logger: Logger
    private let queue = DispatchQueue(label: "omnistock.leader")
    private let subscribers = Mutex<[@Sendable (Bool) -> Void]>([])
    private var connection: PostgresConnection?
    private var timer: (any DispatchSourceTimer)?
    private var leading = false

    package init(conninfo: String, replica: Int32, checkInterval: Double = 2, contact: DatabaseContact = DatabaseContact(), logger: Logger) {
        self.contact = contact
        self.conninfo = conninfo
        self.replica = replica
        self.checkInterval = checkInterval
        self.logger = logger
    }

    /// Calls `handler` with `true` when this replica becomes the leader and `false` when it stops being it (on the
    /// elector's queue; hop to your own). Subscribe before the elector starts.
    package func subscribe(_ handler: @escaping @Sendable (Bool) -> Void) {
        subscribers.withLock { $0.append(handler) }
    }

    package func run() async throws {
        start()
        try? await gracefulShutdown()
        stop()
    }

    /// Starts checking; the first check runs at once.
    package func start() {
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now(), repeating: checkInterval)
        source.setEventHandler { [weak self] in self?.check() }
        timer = source
        source.resume()
    }

    /// Stops checking and gives up the lock.
    package func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
            if leading { _ = try? connection?.query("SELECT pg_advisory_unlock($1)", [Self.key]) }
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
            if !leading {
                let acquired = try connection.query("SELECT pg_try_advisory_lock($1)", [Self.key])[0].decode(Bool.self, at: 0)
                if acquired { setLeader(true) }
            } else {
                // libpq notices a dead server only when the connection is used: without this a leader whose
                // primary was killed would go on leading, holding no lock on the new primary.
                try connection.query("SELECT 1")
            }
            contact.succeeded()
        } catch {
            logger.warning("leader check failed", metadata: ["error": "\(error)"])
            contact.failed()
            connection = nil
            setLeader(false)
        }
    }

    private func setLeader(_ leader: Bool) {
        guard leader != leading else { return }
        leading = leader
        logger.info(leader ? "this replica is now the leader" : "this replica is no longer the leader")
        for subscriber in subscribers.withLock({ $0 }) { subscriber(leader) }
    }
}
