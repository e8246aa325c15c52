import Ledger
import PostgresClient

extension NotificationListener {
    /// Subscribes `handler` to one of the wake-ups ``WakeAfterCommit`` sends.
    func subscribe(to channel: WakeChannel, _ handler: @escaping @Sendable (PostgresNotification) -> Void) {
        subscribe(to: channel.rawValue, handler)
    }
}
