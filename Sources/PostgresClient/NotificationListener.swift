import CLibPQ
import Dispatch
import Foundation
import Logging
import Support

/// A notification received through `LISTEN`.
package struct PostgresNotification: Sendable, Equatable {
    /// The channel name given to `NOTIFY`.
    package var channel: String
    /// The payload given to `NOTIFY` (may be empty).
    package var payload: String
    /// The server process that sent it.
    package var senderPID: Int32
}

/// Listens on one dedicated connection and calls back for every notification.
///
/// The connection's socket is watched by a `DispatchSourceRead`: the queue wakes only when the server
/// sends something, there is no polling loop (a timer checks every 10 s that the connection is still
/// alive, since a half-open connection raises no event). When the connection drops, the listener reconnects with
/// backoff, listens again and calls `onReconnect` (notifications sent meanwhile are lost, so the
/// subscriber should rescan its state then).
///
/// One connection serves many subscribers: each ``subscribe(to:_:)`` adds a channel and a handler (before `start()`).
package final class NotificationListener: @unchecked Sendable {
    private let conninfo: String
    private var channels: [String]
    private let queue: DispatchQueue
    private let logger: Logger
    private let onNotification: @Sendable (PostgresNotification) -> Void
    private let onReconnect: @Sendable () -> Void
    private var subscribers: [String: [@Sendable (PostgresNotification) -> Void]] = [:]
    private var reconnectSubscribers: [@Sendable () -> Void] = []

    // State below is touched only on `queue`.
    private var connection: PostgresConnection?
    private var source: (any DispatchSourceRead)?
    private var stopped = false
    /// Reconnects that failed; each doubles the wait before the next (0.1 s up to 5 s).
    private var reconnectFailures = 0
    private static let reconnectBackoff = Backoff(base: 0.1, cap: 5, jitter: .none)
    /// A slow check that the connection is still there (a half-open TCP connection raises no event).
    private var liveness: (any DispatchSourceTimer)?

    package init(
        conninfo: String, channels: [String] = [], queue: DispatchQueue = DispatchQueue(label: "omnistock.listen"),
        logger: Logger = Logger(label: "omnistock.listen"),
        onReconnect: @escaping @Sendable () -> Void = {},
        onNotification: @escaping @Sendable (PostgresNotification) -> Void
    ) {
        self.conninfo = conninfo
        self.channels = channels
        self.queue = queue
        self.logger = logger
        self.onReconnect = onReconnect
        self.onNotification = onNotification
    }

    /// Also listens on `channel` and calls `handler` for each of its notifications (on the listener's queue).
    /// Subscribe before `start()`.
    package func subscribe(to channel: String, _ handler: @escaping @Sendable (PostgresNotification) -> Void) {
        queue.sync {
            if !channels.contains(channel) { channels.append(channel) }
            subscribers[channel, default: []].append(handler)
        }
    }

    /// Calls `handler` whenever the connection was restored (or first made after ``start()`` failed): notifications
    /// sent meanwhile are lost, so the subscriber rescans. Subscribe before `start()`.
    package func subscribeToReconnects(_ handler: @escaping @Sendable () -> Void) {
        queue.sync { reconnectSubscribers.append(handler) }
    }

    /// Calls every reconnect subscriber (and `onReconnect`), as after a restored connection.
    package func announceReconnect() {
        queue.async {
            self.onReconnect()
            for subscriber in self.reconnectSubscribers { subscriber() }
        }
    }

    /// Connects and listens. Throws if the first connection cannot be made; later losses are retried.
    package func start() throws {
        try queue.sync {
            try connect()
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + 10, repeating: 10)
            timer.setEventHandler { [weak self] in self?.drain() }
            liveness = timer
            timer.resume()
        }
    }

    /// Stops listening and closes the connection.
    package func stop() {
        queue.sync {
            stopped = true
            liveness?.cancel()
            liveness = nil
            source?.cancel()
            source = nil
        }
    }

    private func connect() throws {
        let connection = try PostgresConnection(conninfo: conninfo)
        for channel in channels {
            try connection.execute("LISTEN \(try connection.quoteIdentifier(channel))")
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: connection.socket, queue: queue)
        source.setEventHandler { [weak self] in self?.drain() }
        // The connection is closed only after the source has stopped watching its descriptor.
        source.setCancelHandler { _ = connection }
        self.connection = connection
        self.source = source
        source.resume()
        reconnectFailures = 0
    }

    private func drain() {
        guard let connection, !stopped else { return }
        // libpq may read the server's goodbye and close the socket itself (status bad although the call
        // succeeded), or read the goodbye and leave the end of the stream unread, which raises no new
        // readiness event: peek for that end, or the read source would never fire again.
        guard PQconsumeInput(connection.handle) == 1, PQstatus(connection.handle) == CONNECTION_OK,
            !Self.peerClosed(connection.socket)
        else {
            logger.warning("notification connection lost; reconnecting", metadata: ["error": "\(PostgresConnection.errorMessage(connection.handle))"])
            dropConnection()
            scheduleReconnect()
            return
        }
        while let notify = PQnotifies(connection.handle) {
            let notification = PostgresNotification(
                channel: String(cString: notify.pointee.relname),
                payload: String(cString: notify.pointee.extra),
                senderPID: notify.pointee.be_pid)
            PQfreemem(notify)
            onNotification(notification)
            for subscriber in subscribers[notification.channel] ?? [] { subscriber(notification) }
        }
    }

    /// Whether the server has closed the socket (a zero-byte peek), without consuming anything.
    private static func peerClosed(_ socket: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(socket, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) == 0
    }

    private func dropConnection() {
        source?.cancel()
        source = nil
        connection = nil
    }

    private func scheduleReconnect() {
        queue.asyncAfter(deadline: .now() + Self.reconnectBackoff.delay(afterAttempts: reconnectFailures + 1)) { [weak self] in
            guard let self, !self.stopped else { return }
            do {
                try self.connect()
                self.logger.info("notification connection restored")
                self.onReconnect()
                for subscriber in self.reconnectSubscribers { subscriber() }
            } catch {
                self.reconnectFailures += 1
                self.scheduleReconnect()
            }
        }
    }
}
