import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// Claims of the push outbox: leases, and handing back claims whose commit the lane could not confirm.
@Suite struct OutboxClaimTests {
    let fixture: LedgerFixture
    var pool: PostgresPool { fixture.database.pool }

    init() throws {
        fixture = try LedgerFixture()
        try fixture.database.pool.execute("INSERT INTO channels (code, kind, models_locations) VALUES ('pos', 'omnistock-json', true)")
        try fixture.database.pool.execute("INSERT INTO channel_locations (channel, location) VALUES ('pos', $1)", [LedgerFixture.warehouse])
    }

    @Test func claimsInDoubtAreHandedBackExceptThoseInFlightAndOtherReplicas() throws {
        for sku in ["CAP", "MUG", "TSHIRT-RED-M"] {
            _ = try fixture.ledger.receive(sku: sku, location: LedgerFixture.warehouse, quantity: 3, key: "r-\(sku)")
        }
        let lane = OutboxStore(pool: pool, replica: 7)
        let claimed = try lane.claimDue(channel: "pos", limit: 10)
        #expect(claimed.count == 3)
        #expect(try lane.claimDue(channel: "pos", limit: 10).isEmpty, "leased")
        let other = try #require(claimed.last)
        try pool.execute("UPDATE outbox SET claimed_by = 8 WHERE sku = $1", [other.sku])

        #expect(try lane.releaseClaims(channel: "pos", keeping: [claimed[0]]) == 1)
        let dueAgain = try lane.claimDue(channel: "pos", limit: 10)
        #expect(dueAgain.map(\.sku) == [claimed[1].sku], "only the claim neither in flight nor another replica's")
    }

    /// The values of a claimed batch are read by the levels' key, whatever the size of the ledger: a join with `levels`
    /// let the planner hash every level for each batch (190–260 ms a claim with 300,000 levels, issue 15).
    @Test func channelValuesReadTheTargetsLevelsByKeyNotEveryLevel() throws {
        try pool.execute("INSERT INTO skus (sku) SELECT 'BULK-' || i FROM generate_series(1, 20000) AS i")
        try pool.execute(
            "INSERT INTO levels (sku, location, on_hand) SELECT 'BULK-' || i, $1, 1 FROM generate_series(1, 20000) AS i",
            [LedgerFixture.secondWarehouse])
        let batch = (1...250).map { "BULK-\($0 * 80)" }
        let plan = try pool.query(
            "EXPLAIN SELECT * FROM channel_value_parts('pos', $1::text[], array_fill($2::text, ARRAY[250]))",
            [batch, LedgerFixture.secondWarehouse]
        ) { rows in try rows.map { try $0.decode(String.self, at: 0) } }
        let levelByKey = { (line: String) in line.contains("Index Cond") && line.contains("location = ") && line.contains("sku = ") }
        #expect(plan.contains(where: levelByKey), "\(plan.joined(separator: "\n"))")
        #expect(!plan.contains { $0.contains("Seq Scan on levels") }, "\(plan.joined(separator: "\n"))")
    }

    /// A new channel's listings and a new location's levels are looked up by key before the tables are analyzed
    /// again: the planner then takes the channel or location for about one row, and an index led by it made a scan
    /// of its whole range look as cheap as a lookup (issue 15: a second a claim for a new channel's 10,000 listings).
    @Test func whatArrivedSinceTheLastAnalyzeIsLookedUpByKey() throws {
        try pool.execute("INSERT INTO channels (code, kind, models_locations) VALUES ('web', 'woocommerce', false)")
        try pool.execute("INSERT INTO skus (sku) SELECT 'BULK-' || i FROM generate_series(1, 10000) AS i")
        try pool.execute(
            "INSERT INTO listings (channel, sku, location_scope, external_id) SELECT 'pos', 'BULK-' || i, $1, 'p' || i FROM generate_series(1, 2000) AS i",
            [LedgerFixture.warehouse])
        try pool.execute(
            "INSERT INTO levels (sku, location, on_hand) SELECT 'BULK-' || i, $1, 1 FROM generate_series(1, 2000) AS i", [LedgerFixture.warehouse])
        try pool.execute("ANALYZE listings, levels")
        try pool.execute("INSERT INTO listings (channel, sku, external_id) SELECT 'web', 'BULK-' || i, 'w' || i FROM generate_series(1, 10000) AS i")
        try pool.execute(
            "INSERT INTO levels (sku, location, on_hand) SELECT 'BULK-' || i, $1, 1 FROM generate_series(1, 10000) AS i", [LedgerFixture.plainStore])
        let lookups: [(String, [any PostgresBindable], String)] = [
            (
                "SELECT external_id FROM listings WHERE channel = $1 AND sku = $2 AND location_scope IN ($3, '*') ORDER BY location_scope = '*' LIMIT 1",
                ["web", "BULK-5000", "*"], "sku = "
            ),
            ("SELECT sku FROM listings WHERE channel = $1 AND external_id = $2 LIMIT 1", ["web", "w5000"], "external_id = "),
            ("SELECT on_hand FROM levels WHERE sku = $1 AND location = $2", ["BULK-5000", LedgerFixture.plainStore], "sku = "),
        ]
        for (query, parameters, key) in lookups {
            let plan = try pool.query("EXPLAIN " + query, parameters) { rows in try rows.map { try $0.decode(String.self, at: 0) } }
            #expect(plan.contains { $0.contains("Index Cond") && $0.contains(key) }, "\(plan.joined(separator: "\n"))")
        }
    }
}
