import Dispatch
import Logging
import PostgresClient
import ServiceLifecycle

/// Runs the daemon's one `LISTEN` connection (a ``NotificationListener`` its services subscribed to) as a service:
/// while the database cannot be reached at start, retries every 2 s, and tells the reconnect subscribers once it
/// can (they rescan for what they missed).
package final class ListeningService: Service, @unchecked Sendable {
    /// The shared listener: subscribe to it before the service runs.
    package let listener: NotificationListener
    private let logger: Logger
    private let queue = DispatchQueue(label: "omnistock.listening")
    private var stopped = false

    package init(conninfo: String, logger: Logger) {
        self.listener = NotificationListener(conninfo: conninfo, logger: logger) { _ in }
        self.logger = logger
    }

    package func run() async throws {
        start()
        try? await gracefulShutdown()
        stop()
    }

    /// Starts listening (listening when it returns, if the database answers), retrying in the background while the
    /// database is unreachable.
    package func start() {
        queue.sync { attempt(first: true) }
    }

    /// Stops listening.
    package func stop() {
        queue.sync { stopped = true }
        listener.stop()
    }

    private func attempt(first: Bool) {
        guard !stopped else { return }
        do {
            try listener.start()
            if !first { listener.announceReconnect() }
        } catch {
            if first { logger.warning("cannot listen for notifications yet; retrying", metadata: ["error": "\(error)"]) }
            queue.asyncAfter(deadline: .now() + 2) { self.attempt(first: false) }
        }
    }
}
