import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

@Suite struct WakeAfterCommitTests {
    /// A wake-up goes out on the channel's name once its sender is outside any transaction.
    @Test func wakesListenersOfTheChannel() throws {
        let database = try TestDatabase.make()
        let received = NSCondition()
        nonisolated(unsafe) var notifications: [PostgresNotification] = []
        let listener = NotificationListener(conninfo: database.url, channels: WakeChannel.allCases.map(\.rawValue)) { notification in
            received.lock()
            notifications.append(notification)
            received.signal()
            received.unlock()
        }
        try listener.start()
        defer { listener.stop() }
        try WakeAfterCommit.send(.reconcile, payload: "42", pool: database.pool)
        received.lock()
        defer { received.unlock() }
        let deadline = Date().addingTimeInterval(5)
        while notifications.isEmpty, received.wait(until: deadline) {}
        #expect(notifications.map(\.channel) == ["omnistock_reconcile"])
        #expect(notifications.map(\.payload) == ["42"])
    }

    /// Inside a transaction the wake-up is refused: its NOTIFY would hold the cluster-wide notify lock until the
    /// writing transaction's commit is flushed.
    @Test func refusesInsideATransaction() throws {
        let database = try TestDatabase.make()
        #expect(throws: WakeAfterCommit.InsideTransaction.self) {
            try database.pool.transaction { connection in
                try connection.query("UPDATE outbox SET attempts = attempts")
                try WakeAfterCommit.send(.outbox, on: connection)
            }
        }
    }
}
