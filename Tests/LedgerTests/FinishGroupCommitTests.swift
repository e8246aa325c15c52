import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// Releases and commits through the group commit, met in one batch by `BatchedCalls`.
@Suite struct FinishGroupCommitTests {
    let fixture: LedgerFixture
    let ledger: StockLedger
    let warehouse = LedgerFixture.warehouse
    var batch: BatchedCalls { BatchedCalls(fixture: fixture) }

    init() throws {
        fixture = try LedgerFixture(skus: ["MUG", "CAP"], maxConnections: 16)
        ledger = StockLedger(
            pool: fixture.database.pool, groupCommit: GroupCommitSettings(window: 0.05, maxBatch: 64, maxInFlight: 1))
        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 10, key: "stock-mug")
        _ = try ledger.receive(sku: "CAP", location: warehouse, quantity: 10, key: "stock-cap")
    }

    /// Reserves `quantity` of `sku` for an order named after `key`; returns the reservation's id.
    func hold(_ sku: String, _ quantity: Int, key: String) throws -> String {
        try ledger.reserve(
            ReservationRequest(sku: sku, location: warehouse, quantity: quantity, kind: .order, externalRef: "order-\(key)"), key: key
        ).reservation.id
    }

    @Test func releasesAndCommitsInOneBatchEachGetTheirOwnReceipt() throws {
        let first = try hold("MUG", 1, key: "first")
        let mugRelease = try hold("MUG", 2, key: "mug-release")
        let mugCommit = try hold("MUG", 3, key: "mug-commit")
        let capRelease = try hold("CAP", 1, key: "cap-release")
        let capCommit1 = try hold("CAP", 2, key: "cap-commit-1")
        let capCommit2 = try hold("CAP", 3, key: "cap-commit-2")
        let results = Results<ReservationReceipt>()
        let finish: (String, String, Bool) -> @Sendable () -> Void = { [ledger] name, id, commits in
            {
                results.record(name, Result { commits ? try ledger.commit(reservationID: id) : try ledger.release(reservationID: id) })
            }
        }
        try batch.run(
            lock: "MUG", first: finish("first", first, false),
            rest: [
                finish("mug-release", mugRelease, false), finish("mug-commit", mugCommit, true),
                finish("cap-release", capRelease, false), finish("cap-commit-1", capCommit1, true),
                finish("cap-commit-2", capCommit2, true),
            ])

        for name in ["first", "mug-release", "cap-release"] { #expect(try results.get(name).reservation.status == .released) }
        for name in ["mug-commit", "cap-commit-1", "cap-commit-2"] { #expect(try results.get(name).reservation.status == .committed) }
        #expect(try results.get("cap-commit-1").reservation.id == capCommit1)
        #expect(try results.get("cap-commit-1").reservation.quantity == 2)
        // Every receipt for a level shows it as the batch left it.
        for name in ["cap-release", "cap-commit-1", "cap-commit-2"] {
            let level = try #require(try results.get(name).level)
            #expect((level.sku, level.onHand, level.reserved) == ("CAP", 5, 0))
        }
        let mug = try #require(try results.get("mug-commit").level)
        #expect((mug.sku, mug.onHand, mug.reserved) == ("MUG", 7, 0))
        #expect(try fixture.scalar("SELECT on_hand * 100 + reserved FROM levels WHERE sku = 'CAP'") == 500)
        #expect(try fixture.scalar("SELECT on_hand * 100 + reserved FROM levels WHERE sku = 'MUG'") == 700)
        #expect(try fixture.scalar("SELECT count(*) FROM movements WHERE reason = 'release'") == 3)
        #expect(
            try fixture.scalar("SELECT count(*) FROM movements WHERE reason = 'reservation_commit' AND delta = reserved_delta AND delta < 0") == 3)
        #expect(try fixture.scalar("SELECT count(*) FROM movements WHERE reference = 'order-cap-commit-2' AND delta = -3") == 1)
        #expect(
            try batch.transactions(
                "SELECT xmin FROM operations WHERE kind IN ('released', 'committed') AND idempotency_key <> $1", ["release:\(first)"])
                == 1, "one batch")
        #expect(try ledger.commit(reservationID: capCommit1) == results.get("cap-commit-1"), "a repeat returns the stored receipt")
        #expect(try ledger.verify().isEmpty)
    }

    @Test func aReservationFinishedTwiceInOneBatchIsFinishedOnce() throws {
        let first = try hold("MUG", 1, key: "first")
        let twice = try hold("CAP", 2, key: "twice")
        let repeated = try hold("CAP", 1, key: "repeated")
        let results = Results<ReservationReceipt>()
        let release: (String, String, String?) -> @Sendable () -> Void = { [ledger] name, id, key in
            { results.record(name, Result { try ledger.release(reservationID: id, key: key) }) }
        }
        let commitTwice: @Sendable () -> Void = { [ledger] in
            results.record("commit-twice", Result { try ledger.commit(reservationID: twice, key: "commit-twice") })
        }
        try batch.run(
            lock: "MUG", first: release("first", first, nil),
            rest: [
                release("release-twice", twice, "release-twice"), commitTwice, release("repeat-1", repeated, nil),
                release("repeat-2", repeated, nil), release("repeat-3", repeated, nil), release("unknown", "r_NOSUCH", nil),
            ])

        let winner = try #require((try? results.get("release-twice")) ?? (try? results.get("commit-twice")))
        let loser = results.error(winner.reservation.status == .released ? "commit-twice" : "release-twice")
        #expect(loser as? LedgerError == .reservationNotActive(id: twice, status: winner.reservation.status))
        let committed = winner.reservation.status == .committed ? 2 : 0
        #expect(try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'CAP'") == 10 - committed)
        #expect(try fixture.scalar("SELECT reserved FROM levels WHERE sku = 'CAP'") == 0)
        #expect(try fixture.scalar("SELECT count(*) FROM movements WHERE idempotency_key IN ('release-twice', 'commit-twice')") == 1)

        let repeats = try ["repeat-1", "repeat-2", "repeat-3"].map { try results.get($0) }
        #expect(repeats.allSatisfy { $0 == repeats[0] && $0.reservation.status == .released })
        #expect(try fixture.scalar("SELECT count(*) FROM movements WHERE idempotency_key = $1", ["release:\(repeated)"]) == 1)
        #expect(results.error("unknown") as? LedgerError == .unknownReservation("r_NOSUCH"))
        #expect(
            try batch.transactions(
                "SELECT xmin FROM operations WHERE kind IN ('released', 'committed') AND idempotency_key <> $1", ["release:\(first)"])
                == 1, "one batch")
        #expect(try ledger.verify().isEmpty)
    }
}
