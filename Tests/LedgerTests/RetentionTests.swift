import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// Bounded growth: checkpoints `verify` starts from, the monthly movement archive, and the sweeps of finished records.
@Suite struct RetentionTests {
    let fixture: LedgerFixture
    var ledger: StockLedger { fixture.ledger }
    var pool: PostgresPool { fixture.database.pool }
    let warehouse = LedgerFixture.warehouse

    init() throws { fixture = try LedgerFixture(maxConnections: 16) }

    @Test func verifyStartsFromTheLatestCheckpointAndStillFindsADifference() throws {
        let checkpoints = LedgerCheckpoints(pool: pool)
        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 7, key: "r1")
        _ = try ledger.reserve(ReservationRequest(sku: "MUG", location: warehouse, quantity: 2, kind: .order), key: "o1")
        let first = try #require(try checkpoints.take())
        #expect(try checkpoints.take() == nil, "nothing moved since")
        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 3, key: "r2")
        _ = try ledger.receive(sku: "CAP", location: warehouse, quantity: 4, key: "r3")
        let second = try #require(try checkpoints.take())
        #expect(second.throughMovement > first.throughMovement)
        let sums = try pool.query("SELECT sku, on_hand, reserved FROM checkpoint_levels WHERE checkpoint = $1 ORDER BY sku", [second.id]) {
            try $0.map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(Int.self, at: 1)) \(try $0.decode(Int.self, at: 2))" }
        }
        #expect(sums == ["CAP 4 0", "MUG 10 2"], "the previous checkpoint plus the movements since")
        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 1, key: "r4")
        #expect(try ledger.verify().isEmpty)
        #expect(try ledger.verify(full: true).isEmpty)

        try pool.execute("UPDATE levels SET on_hand = on_hand + 1 WHERE sku = 'CAP'")
        #expect(try ledger.verify().map(\.sku) == ["CAP"], "a level that differs from checkpoint + later movements")
        #expect(try ledger.verify(full: true).map(\.sku) == ["CAP"])
    }

    @Test func checkpointsTakenWhileWritersRunCutCleanly() async throws {
        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 1_000, key: "seed")
        let ledger = self.ledger
        let writers = (0..<4).map { writer in
            Task.detached {
                for n in 0..<60 {
                    _ = try ledger.reserve(
                        ReservationRequest(sku: "MUG", location: LedgerFixture.warehouse, quantity: 1, kind: .order), key: "w\(writer)-\(n)")
                    _ = try ledger.receive(sku: "CAP", location: LedgerFixture.warehouse, quantity: 1, key: "c\(writer)-\(n)")
                }
            }
        }
        let checkpoints = LedgerCheckpoints(pool: pool)
        var taken = 0
        for _ in 0..<20 {
            if try checkpoints.take() != nil { taken += 1 }
            try await Task.sleep(for: .milliseconds(20))
        }
        for writer in writers { try await writer.value }
        #expect(taken > 1)
        #expect(try ledger.verify().isEmpty, "no movement fell between two checkpoints")
        #expect(try fixture.scalar("SELECT count(*) FROM ledger_checkpoints") <= 2, "older checkpoints are dropped")
    }

    @Test func coveredOldMovementsMoveToAMonthlyArchiveAndVerifyStaysClean() throws {
        for n in 0..<5 { _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 2, key: "r\(n)") }
        _ = try ledger.reserve(ReservationRequest(sku: "MUG", location: warehouse, quantity: 3, kind: .order), key: "o")
        var retention = Retention(pool: pool, policy: RetentionPolicy(movements: 0, checkpointInterval: 3_600))
        retention.batchSize = 2
        let report = try retention.run()
        #expect(report.checkpoint != nil)
        #expect(report.archivedMovements == 6)
        #expect(try fixture.scalar("SELECT count(*) FROM movements") == 0)
        #expect(try fixture.scalar("SELECT count(*) FROM movements_archive") == 6)
        let month = try pool.query("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')") { try $0[0].decode(String.self, at: 0) }
        #expect(try fixture.scalar("SELECT count(*) FROM movements_archive_\(month)") == 6, "one partition per month")

        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 1, key: "after")
        #expect(try retention.run().archivedMovements == 0, "not covered by a checkpoint yet (the next is due in an hour)")
        #expect(try ledger.verify().isEmpty)
        #expect(try ledger.verify(full: true).isEmpty)
        try pool.execute("DELETE FROM movements")
        #expect(try fixture.scalar("SELECT count(*) FROM movements") == 1, "outside the archiver movements stay append-only")
    }

    @Test func onlyFinishedRecordsOlderThanThePolicyAreSwept() throws {
        let old = "now() - interval '100 days'"
        try pool.execute(
            """
            INSERT INTO inbox (channel, event_id, payload, status, processed_at) VALUES
                ('shop', 'old-done', '{}', 'processed', \(old)), ('shop', 'old-ignored', '{}', 'ignored', \(old)),
                ('shop', 'new-done', '{}', 'processed', now()), ('shop', 'old-dead', '{}', 'dead', \(old)),
                ('shop', 'old-pending', '{}', 'pending', NULL)
            """)
        try pool.execute(
            """
            INSERT INTO conflicts (kind, sku, created_at, resolved_at) VALUES
                ('drift', 'MUG', \(old), \(old)), ('drift', 'MUG', \(old), NULL), ('drift', 'MUG', now(), now())
            """)
        try pool.execute(
            """
            INSERT INTO reconcile_runs (trigger, status, finished_at) VALUES
                ('cli', 'completed', \(old)), ('cli', 'failed', \(old)), ('cli', 'running', NULL), ('cli', 'completed', now())
            """)
        try pool.execute("INSERT INTO channels (code, kind, models_locations) VALUES ('pos', 'omnistock-json', true)")
        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 5, key: "r")
        for (key, done) in [("done", true), ("open", false)] {
            let held = try ledger.reserve(ReservationRequest(sku: "MUG", location: warehouse, quantity: 1, kind: .order), key: key)
            try pool.execute(
                "INSERT INTO reservation_outbox (reservation_id, channel, action, done, changed_at) VALUES ($1, 'pos', 'hold', $2, \(old))",
                [held.reservation.id, done])
        }

        let report = try Retention(pool: pool, policy: RetentionPolicy()).run()
        #expect(report.inbox == 2)
        #expect(report.conflicts == 1)
        #expect(report.reconcileRuns == 2)
        #expect(report.outboxHistory == 1)
        let events = try pool.query("SELECT event_id FROM inbox ORDER BY event_id") { try $0.map { try $0.decode(String.self, at: 0) } }
        #expect(events == ["new-done", "old-dead", "old-pending"], "set-aside and pending events stay for an operator")
        #expect(try fixture.scalar("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL") == 1, "open conflicts stay")
        #expect(try fixture.scalar("SELECT count(*) FROM reconcile_runs") == 2)
        #expect(try fixture.scalar("SELECT count(*) FROM reservation_outbox WHERE NOT done") == 1)
        #expect(try fixture.scalar("SELECT count(*) FROM movements") == 3, "movements younger than 400 days stay")
    }
}
