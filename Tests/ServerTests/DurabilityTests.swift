import ChannelSimulators
import Foundation
import PostgresClient
import TestSupport
import Testing

/// DESIGN.md §1.4: a webhook is answered 2xx only after its event is committed to the inbox.
@Suite("webhook durability")
struct DurabilityTests {
    func send(_ simulator: OmnistockJSONSimulator, to server: ServerHarness, id: String) async throws -> Int {
        try await simulator.sendWebhook(type: "order.cancelled", data: ["order": "WEB-1"], to: server.baseURL + "/webhooks/pos", id: id)
    }

    @Test("a commit that fails is not answered 200, and nothing is stored")
    func commitFails() async throws {
        try await ServerHarness.with { server in
            // A deferred constraint trigger: the INSERT succeeds, the COMMIT fails.
            try server.pool.withConnection { connection in
                try connection.execute(
                    """
                    CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
                    CREATE CONSTRAINT TRIGGER inbox_refuse AFTER INSERT ON inbox DEFERRABLE INITIALLY DEFERRED
                        FOR EACH ROW EXECUTE FUNCTION refuse_commit();
                    """)
            }
            let simulator = OmnistockJSONSimulator(token: "t", webhookSecret: ServerHarness.posSecret)
            #expect(try await send(simulator, to: server, id: "msg_commit") == 503)
            #expect(try server.inboxCount() == 0)
            try server.pool.execute("DROP TRIGGER inbox_refuse ON inbox")
            #expect(try await send(simulator, to: server, id: "msg_commit") == 200)
            #expect(try server.inboxCount() == 1)
        }
    }

    @Test("the database connection killed mid-request: not 200, nothing stored; the redelivery is stored")
    func connectionKilled() async throws {
        try await ServerHarness.with { server in
            let locker = try PostgresConnection(conninfo: server.fixture.database.url)
            try locker.execute("BEGIN; LOCK TABLE inbox IN ACCESS EXCLUSIVE MODE")
            let simulator = OmnistockJSONSimulator(token: "t", webhookSecret: ServerHarness.posSecret)
            let delivery = Task { try await send(simulator, to: server, id: "msg_killed") }
            // Wait until the server's INSERT is blocked on the lock, then terminate that backend.
            var terminated = 0
            for _ in 0..<200 where terminated == 0 {
                try await Task.sleep(for: .milliseconds(25))
                terminated = try server.fixture.scalar(
                    """
                    SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity
                    WHERE datname = current_database() AND wait_event_type = 'Lock'
                    """)
            }
            #expect(terminated == 1)
            let status = try await delivery.value
            try locker.execute("ROLLBACK")
            #expect(status == 503)
            #expect(try server.inboxCount() == 0)
            #expect(try await send(simulator, to: server, id: "msg_killed") == 200)
            #expect(try server.inboxCount() == 1)
        }
    }
}
