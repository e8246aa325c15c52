import Foundation
import PostgresClient
import Testing

/// Runs against a private cluster of its own, since it stops and starts the server.
@Suite struct ServerRestartTests {
    @Test func poolAndListenerRecoverAfterServerRestart() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("omnistock-restart-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cluster = try EmbeddedCluster(directory: directory)
        try cluster.start(extraSettings: ["fsync": "off"])
        defer { try? cluster.stop() }

        let pool = PostgresPool(conninfo: cluster.url(), maxConnections: 2)
        #expect(try pool.query("SELECT 1") { try $0[0].decode(Int.self, at: 0) } == 1)
        let reconnected = Mailbox<Bool>()
        let notes = Mailbox<PostgresNotification>()
        let listener = NotificationListener(
            conninfo: cluster.url(), channels: ["wake"], onReconnect: { reconnected.put(true) }
        ) { notes.put($0) }
        try listener.start()
        defer { listener.stop() }

        try cluster.stop()
        #expect(throws: PostgresError.self) { try pool.query("SELECT 1") { _ in () } }
        try cluster.start(extraSettings: ["fsync": "off"])

        #expect(try pool.query("SELECT 2") { try $0[0].decode(Int.self, at: 0) } == 2)
        #expect(reconnected.take(timeout: 15) == true)
        try pool.execute("SELECT pg_notify('wake', 'again')")
        #expect(notes.take(timeout: 5)?.payload == "again")
    }
}
