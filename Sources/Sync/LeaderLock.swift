import Dispatch
import Logging
import PostgresClient

/// Leadership among replicas: whoever holds a session advisory lock on its own connection leads.
/// If the leader dies its connection closes, the lock is freed and another replica takes it on
/// its next check (every `checkInterval` seconds).
public final class LeaderLock: @unchecked Sendable {
    static let key: Int64 = 0x6F6D_6E69_6C65_6164  // "omnilead"

    private let conninfo: String
    private let checkInterval: Double
    private let logger: Logger
    private let queue = DispatchQueue(label: "omnistock.leader")
    private let onChange: @Sendable (Bool) -> Void
    private var connection: PostgresConnection?
    private var timer: (any DispatchSourceTimer)?
    private(set) var isLeader = false

    public init(conninfo: String, checkInterval: Double = 2, logger: Logger, onChange: @escaping @Sendable (Bool) -> Void) {
        self.conninfo = conninfo
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
                connection = try PostgresConnection(conninfo: conninfo)
                setLeader(false)
            }
            guard let connection else { return }
            if isLeader {
                try connection.query("SELECT 1")
            } else {
                let acquired = try connection.query("SELECT pg_try_advisory_lock($1)", [Self.key])[0].decode(Bool.self, at: 0)
                if acquired { setLeader(true) }
            }
        } catch {
            logger.warning("leader check failed", metadata: ["error": "\(error)"])
            connection = nil
            setLeader(false)
        }
    }

    private func setLeader(_ leader: Bool) {
        guard leader != isLeader else { return }
        isLeader = leader
        logger.info(leader ? "this replica is now the leader" : "this replica is no longer the leader")
        onChange(leader)
    }
}
