import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite struct NotificationTests {
    @Test func deliversNotificationsWithoutPolling() throws {
        let database = try TestDatabase.make(migrated: false)
        let received = Mailbox<PostgresNotification>()
        let listener = NotificationListener(conninfo: database.url, channels: ["stock changed"]) { received.put($0) }
        try listener.start()
        defer { listener.stop() }
        try database.pool.execute("SELECT pg_notify('stock changed', 'SKU-1')")
        try database.pool.execute("SELECT pg_notify('other', 'ignored')")
        try database.pool.execute("SELECT pg_notify('stock changed', 'SKU-2')")
        let first = try #require(received.take(timeout: 5))
        let second = try #require(received.take(timeout: 5))
        #expect(first.channel == "stock changed")
        #expect([first.payload, second.payload] == ["SKU-1", "SKU-2"])
        #expect(received.take(timeout: 0.2) == nil)
    }
}

/// A blocking queue of values delivered from another thread.
final class Mailbox<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var values: [Value] = []

    func put(_ value: Value) {
        condition.lock()
        values.append(value)
        condition.signal()
        condition.unlock()
    }

    func take(timeout: TimeInterval) -> Value? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while values.isEmpty {
            guard condition.wait(until: deadline) else { return nil }
        }
        return values.removeFirst()
    }
}
