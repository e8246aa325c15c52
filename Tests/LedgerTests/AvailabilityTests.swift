import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

@Suite struct AvailabilityTests {
    let fixture: LedgerFixture
    var ledger: StockLedger { fixture.ledger }

    init() throws { fixture = try LedgerFixture(skus: ["CUP", "SAUCER", "LID"]) }

    @Test func pooledChannelAppliesBufferShareMaxAndMinVisible() throws {
        _ = try ledger.receive(sku: "CUP", location: LedgerFixture.warehouse, quantity: 30, key: "a")
        _ = try ledger.receive(sku: "CUP", location: LedgerFixture.secondWarehouse, quantity: 13, key: "b")
        _ = try ledger.receive(sku: "CUP", location: LedgerFixture.plainStore, quantity: 100, key: "c")
        _ = try ledger.reserve(ReservationRequest(sku: "CUP", location: LedgerFixture.warehouse, quantity: 3, kind: .order), key: "d")
        // Pool over ships_online locations only: (30 - 3) + 13 = 40.
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "market", kind: "allegro", modelsLocations: false, buffer: 2, share: 50))
        #expect(try ledger.channelValue(channel: "market", sku: "CUP", scope: "*") == 19, "⌊(40 − 2) × 50 %⌋")
        try fixture.catalog.upsertChannel(
            ChannelDefinition(code: "market", kind: "allegro", modelsLocations: false, buffer: 2, share: 50, maxQuantity: 10))
        #expect(try ledger.channelValue(channel: "market", sku: "CUP", scope: "*") == 10)
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "market", kind: "allegro", modelsLocations: false, buffer: 35, minVisible: 6))
        #expect(try ledger.channelValue(channel: "market", sku: "CUP", scope: "*") == 0, "5 is below min_visible 6")
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "market", kind: "allegro", modelsLocations: false, buffer: 34, minVisible: 6))
        #expect(try ledger.channelValue(channel: "market", sku: "CUP", scope: "*") == 6)
    }

    @Test func channelLocationsOverrideTheShipsOnlineDefault() throws {
        _ = try ledger.receive(sku: "CUP", location: LedgerFixture.warehouse, quantity: 5, key: "a")
        _ = try ledger.receive(sku: "CUP", location: LedgerFixture.plainStore, quantity: 7, key: "b")
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "pos", kind: "omnistock-json", modelsLocations: false, locations: [LedgerFixture.plainStore]))
        #expect(try ledger.channelValue(channel: "pos", sku: "CUP", scope: "*") == 7)
    }

    @Test func perLocationChannelShowsPickupAvailabilityAtStores() throws {
        let store = LedgerFixture.store
        _ = try ledger.receive(sku: "CUP", location: store, quantity: 4, key: "a")
        _ = try ledger.receive(sku: "CUP", location: LedgerFixture.warehouse, quantity: 9, key: "b")
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "webshop", kind: "shopify", modelsLocations: true, locations: [LedgerFixture.warehouse, store]))
        #expect(try ledger.pickupAvailable(sku: "CUP", store: store) == 3, "4 minus the store's buffer of 1")
        #expect(try ledger.pickupAvailable(sku: "CUP", store: LedgerFixture.plainStore) == 0, "no click-and-collect there")
        let report = try ledger.stock(sku: "CUP")
        #expect(report.channels.map { "\($0.channel) \($0.scope) \($0.value)" } == ["webshop \(store) 3", "webshop \(LedgerFixture.warehouse) 9"])
        #expect(report.channels.map(\.steps.summary) == ["4 available, −1 pickup buffer", "9 available"])
        #expect(report.locations.first { $0.location == store }?.pickupAvailable == 3)
    }

    @Test func bundleIsLimitedByItsScarcestComponent() throws {
        try fixture.catalog.defineBundle("CUP-SET", name: "Cup and saucer", components: ["CUP": 2, "SAUCER": 1])
        _ = try ledger.receive(sku: "CUP", location: LedgerFixture.warehouse, quantity: 7, key: "a")
        _ = try ledger.receive(sku: "SAUCER", location: LedgerFixture.warehouse, quantity: 10, key: "b")
        _ = try ledger.receive(sku: "CUP", location: LedgerFixture.secondWarehouse, quantity: 2, key: "c")
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "market", kind: "allegro", modelsLocations: false))
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "webshop", kind: "shopify", modelsLocations: true))
        #expect(try ledger.channelValue(channel: "market", sku: "CUP-SET", scope: "*") == 4, "pooled: min(⌊9/2⌋, 10)")
        #expect(try ledger.channelValue(channel: "webshop", sku: "CUP-SET", scope: LedgerFixture.warehouse) == 3, "min(⌊7/2⌋, 10)")
        #expect(try ledger.channelValue(channel: "webshop", sku: "CUP-SET", scope: LedgerFixture.secondWarehouse) == 0, "no saucers there")
        let report = try ledger.stock(sku: "CUP-SET")
        #expect(report.kind == "bundle")
        #expect(report.locations.first { $0.location == LedgerFixture.warehouse }?.available == 3)
    }

    @Test func levelChangesMarkChannelTargetsDueAndCoalesce() throws {
        try fixture.catalog.defineBundle("CUP-SET", components: ["CUP": 1, "SAUCER": 1])
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "market", kind: "allegro", modelsLocations: false))
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "webshop", kind: "shopify", modelsLocations: true, locations: [LedgerFixture.warehouse, LedgerFixture.store]))
        var last: Int64 = 0
        for index in 0..<50 {
            last = try ledger.receive(sku: "CUP", location: LedgerFixture.warehouse, quantity: 1, key: "r\(index)").levels[0].version
        }
        let targets = try fixture.database.pool.query(
            "SELECT channel, sku, location_scope, wanted_version FROM outbox ORDER BY channel, sku"
        ) { rows in try rows.map { "\(try $0.decode(String.self, at: 0))/\(try $0.decode(String.self, at: 1))/\(try $0.decode(String.self, at: 2))" }
        }
        #expect(targets == ["market/CUP/*", "market/CUP-SET/*", "webshop/CUP/wh-main", "webshop/CUP-SET/wh-main"])
        #expect(try fixture.scalar("SELECT count(*) FROM outbox WHERE wanted_version = $1", [last]) == 4, "targets carry the last version")
    }

    /// One statement that changes several levels feeding one target (a SKU at two warehouses of a pooled channel, the
    /// components of a bundle) marks each target once, with the newest version, and a fall among them as a fall.
    @Test func oneStatementMarksEachTargetOnceWithItsNewestVersionAndItsFall() throws {
        try fixture.catalog.defineBundle("CUP-SET", components: ["CUP": 1, "SAUCER": 1])
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "market", kind: "allegro", modelsLocations: false))
        _ = try ledger.receive(sku: "CUP", location: LedgerFixture.warehouse, quantity: 5, key: "a")
        _ = try ledger.receive(sku: "CUP", location: LedgerFixture.secondWarehouse, quantity: 5, key: "b")
        _ = try ledger.receive(sku: "SAUCER", location: LedgerFixture.warehouse, quantity: 5, key: "c")
        // The import's one statement: a count below at one warehouse, counts above at the other and for the saucers.
        let summary = try ledger.importStock(
            [
                StockImportRow(line: 2, sku: "CUP", location: LedgerFixture.warehouse, onHand: 2),
                StockImportRow(line: 3, sku: "CUP", location: LedgerFixture.secondWarehouse, onHand: 8),
                StockImportRow(line: 4, sku: "SAUCER", location: LedgerFixture.warehouse, onHand: 9),
            ], createMissing: false)
        #expect(summary.changed == 3)
        let version = { (sku: String, location: String) in
            try fixture.scalar("SELECT version FROM levels WHERE sku = $1 AND location = $2", [sku, location])
        }
        let fall = try version("CUP", LedgerFixture.warehouse)
        let cups = max(fall, try version("CUP", LedgerFixture.secondWarehouse))
        let saucers = try version("SAUCER", LedgerFixture.warehouse)
        let marks = try fixture.database.pool.query(
            "SELECT sku, wanted_version, decreased_version FROM outbox WHERE channel = 'market' ORDER BY sku"
        ) { rows in
            try rows.map {
                "\(try $0.decode(String.self, at: 0)) \(try $0.decode(Int.self, at: 1)) \(try $0.decode(Int?.self, at: 2).map(String.init) ?? "-")"
            }
        }
        #expect(marks == ["CUP \(cups) \(fall)", "CUP-SET \(max(cups, saucers)) \(fall)", "SAUCER \(saucers) -"])
    }

    /// A statement that changes many levels marks their targets in time linear in their number, also in a session
    /// whose first mark was of one level. PL/pgSQL keeps the plan of a statement's first call, and the plan made for
    /// one level joined the transition tables in a nested loop: 20,000 levels took about a minute instead of a second.
    @Test func manyLevelsChangedAfterOneAreMarkedByAPlanForTheirNumber() throws {
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "market", kind: "allegro", modelsLocations: false))
        let pool = fixture.database.pool
        try pool.execute("INSERT INTO skus (sku) SELECT 'BULK-' || i FROM generate_series(1, 20000) AS i")
        try pool.execute(
            "INSERT INTO levels (sku, location, on_hand) SELECT 'BULK-' || i, $1, 1 FROM generate_series(1, 20000) AS i",
            [LedgerFixture.warehouse])
        try pool.transaction { session in
            try session.execute("UPDATE levels SET on_hand = 2, version = nextval('ledger_version_seq') WHERE sku = 'BULK-1'")
            try session.execute("SET LOCAL statement_timeout = '20s'")
            try session.execute("UPDATE levels SET on_hand = 3, version = nextval('ledger_version_seq') WHERE sku LIKE 'BULK-%'")
        }
        let marked = try fixture.scalar(
            """
            SELECT count(*) FROM outbox o JOIN levels l ON l.sku = o.sku AND l.location = $1
            WHERE o.channel = 'market' AND o.wanted_version = l.version AND l.on_hand = 3
            """, [LedgerFixture.warehouse])
        #expect(marked == 20000)
    }
}
