import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

@Suite struct ConflictStoreTests {
    /// `ConflictKind` names exactly the kinds the `conflicts` table's CHECK allows.
    @Test func kindsAreTheSchemasKinds() throws {
        let database = try TestDatabase.make()
        let check = try database.pool.query(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'conflicts_kind_check'"
        ) { try $0[0].decode(String.self, at: 0) }
        let allowed = Set(check.matches(of: /'([a-z_]+)'::text/).map { String($0.1) })
        #expect(allowed == Set(ConflictKind.allCases.map(\.rawValue)))
    }

    /// A recorded conflict keeps its detail as JSON (nil as null, or left out with `withoutNulls`) and is resolved
    /// at once when a resolution is given.
    @Test func recordsDetailAndResolution() throws {
        let database = try TestDatabase.make()
        let detail: ConflictDetail = ["channel_value": 7, "last_pushed": Int?.none, "source": "webhook", "orders": ["A-1"]]
        try ConflictStore.record(.drift, channel: nil, sku: "MUG", detail: detail, resolution: "ledger wins: pushed again", pool: database.pool)
        try ConflictStore.record(.oversold, sku: "MUG", detail: detail.withoutNulls, pool: database.pool)
        let rows = try database.pool.query("SELECT kind, detail::text, resolved_at IS NOT NULL FROM conflicts ORDER BY id") { rows in
            try rows.map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(Bool.self, at: 2)) }
        }
        #expect(rows.map(\.0) == ["drift", "oversold"])
        #expect(rows[0].1 == #"{"orders": ["A-1"], "source": "webhook", "last_pushed": null, "channel_value": 7}"#)
        #expect(rows[1].1 == #"{"orders": ["A-1"], "source": "webhook", "channel_value": 7}"#)
        #expect(rows.map(\.2) == [true, false])
        #expect(try database.pool.withConnection { try ConflictStore.openByKind(on: $0) } == ["oversold": 1])
    }
}
