import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// `buffer_mode = "lag_aware"` and `last_units` (migration 18, README "What a channel shows"), computed by the
/// ledger's `channel_value_parts` and explained by `stock`.
@Suite struct LagAwareBufferTests {
    let fixture: LedgerFixture
    var ledger: StockLedger { fixture.ledger }
    let warehouse = LedgerFixture.warehouse

    init() throws { fixture = try LedgerFixture(skus: ["CUP", "SAUCER"]) }

    private func defineChannels(lagAware: LagAwareBuffer?) throws {
        try fixture.catalog.upsertChannel(
            ChannelDefinition(code: "market", kind: "allegro", modelsLocations: false, locations: [warehouse], lagAware: lagAware))
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "webshop", kind: "shopify", modelsLocations: false, locations: [warehouse]))
    }

    private func reserve(_ quantity: Int, channel: String?) throws {
        _ = try ledger.reserve(
            ReservationRequest(sku: "CUP", location: warehouse, quantity: quantity, kind: .order, channel: channel), key: LedgerFixture.key())
    }

    private func market() throws -> ChannelStock {
        try #require(try ledger.stock(sku: "CUP").channels.first { $0.channel == "market" })
    }

    @Test func holdsBackWhatIsExpectedToSellDuringTheLag() throws {
        _ = try ledger.receive(sku: "CUP", location: warehouse, quantity: 8, key: "in")
        // A marketplace that shows an accepted write 30 s later; demand is measured over 60 s.
        try defineChannels(lagAware: LagAwareBuffer(window: 60, cap: 5, lowStock: 10, visibilityDelay: 30))
        try reserve(1, channel: "webshop")
        try reserve(1, channel: "webshop")
        // 2 units in 60 s elsewhere × 30 s of lag: 1 expected; nine times in ten no more than 2 sell (Poisson).
        var shown = try market()
        #expect(shown.steps.units == 6)
        #expect(shown.steps.demand == 2)
        #expect(shown.steps.lagSeconds == 30)
        #expect(abs(shown.steps.expected - 1) < 1e-9)
        #expect(shown.steps.heldBack == 2)
        #expect(shown.value == 4)
        #expect(try ledger.channelValue(channel: "market", sku: "CUP", scope: "*") == 4, "the pushed value is the explained one")
        #expect(shown.steps.summary == "6 available, −2 held back (1.0 expected to sell during a lag of 30 s)")
        // The webshop, static, shows everything.
        #expect(try ledger.channelValue(channel: "webshop", sku: "CUP", scope: "*") == 6)

        // The market's own order counts for its visibility delay only: a write it shows late overwrites its own sales.
        try reserve(1, channel: "market")
        shown = try market()
        #expect(shown.steps.ownDemand == 1)
        #expect(abs(shown.steps.expected - 1.5) < 1e-9, "(2 × 30 + 1 × 30) ÷ 60")
        #expect(shown.steps.heldBack == 3)
        // A walk-in sale and an API reservation are demand elsewhere too.
        _ = try ledger.sell(sku: "CUP", location: warehouse, quantity: 1, key: "till")
        try reserve(1, channel: nil)
        shown = try market()
        #expect(shown.steps.demand == 4)
        #expect(abs(shown.steps.expected - 2.5) < 1e-9)
        #expect(shown.steps.heldBack == 5, "the 90th percentile is 5, the cap")
        #expect(shown.value == 0)
    }

    @Test func onlySKUsRunningLowAreHeldBackAndNeverMoreThanTheCap() throws {
        _ = try ledger.receive(sku: "CUP", location: warehouse, quantity: 40, key: "in")
        try defineChannels(lagAware: LagAwareBuffer(window: 60, cap: 3, lowStock: 10, visibilityDelay: 60))
        try reserve(20, channel: "webshop")
        #expect(try market().steps.heldBack == 0, "20 units left: not running low")
        #expect(try market().value == 20)
        try reserve(12, channel: "webshop")
        let shown = try market()
        #expect(shown.steps.units == 8)
        #expect(shown.steps.heldBack == 3, "32 expected; the cap is 3")
        #expect(shown.value == 5)
        try defineChannels(lagAware: nil)
        #expect(try market().steps.heldBack == 0, "a static channel holds nothing back")
        #expect(try market().value == 8)
    }

    @Test func theSlowestOrderFeedSharingTheStockIsPartOfTheLag() throws {
        _ = try ledger.receive(sku: "CUP", location: warehouse, quantity: 6, key: "in")
        try defineChannels(lagAware: LagAwareBuffer(window: 60, cap: 5, lowStock: 10))
        try reserve(2, channel: "webshop")
        #expect(try market().steps.lagSeconds == 0)
        #expect(try market().steps.heldBack == 0, "no lag measured yet")
        // The webshop's orders reach the ledger 45 s after they were placed (a polled feed, say).
        try fixture.database.pool.execute("INSERT INTO channel_orders (channel, order_ref, status) VALUES ('webshop', 'o-1', 'open')")
        try ChannelLag.orderApplied(channel: "webshop", order: "o-1", occurredAt: Date().addingTimeInterval(-45), pool: fixture.database.pool)
        let shown = try market()
        #expect(abs(shown.steps.lagSeconds - 45) < 2)
        #expect(shown.steps.heldBack == 3, "1.5 expected: 3 covers it nine times in ten")
        #expect(shown.value == 1)
    }

    @Test func pushedDecreasesMeasureTheChannelsPropagation() throws {
        let pool = fixture.database.pool
        _ = try ledger.receive(sku: "CUP", location: warehouse, quantity: 8, key: "in")
        try defineChannels(lagAware: LagAwareBuffer(window: 60))
        let outbox = OutboxStore(pool: pool)
        func pushMarket(changedSecondsAgo: Double) throws {
            try pool.execute(
                "UPDATE outbox SET changed_at = clock_timestamp() - make_interval(secs => $1) WHERE channel = 'market'", [changedSecondsAgo])
            let claimed = try outbox.claimDue(channel: "market", limit: 10)
            try #require(claimed.count == 1)
            try outbox.record(claimed.map { .pushed($0) })
        }
        func propagation() throws -> Double? {
            try pool.query("SELECT propagation_seconds FROM channel_state WHERE channel = 'market'") { try $0.first?.decode(Double?.self, at: 0) }
        }
        try pushMarket(changedSecondsAgo: 50)
        #expect(try propagation() == nil, "a first push is no decrease: nothing was shown before")
        try reserve(1, channel: "webshop")
        try pushMarket(changedSecondsAgo: 10)
        #expect(abs(try #require(try propagation()) - 10) < 1)
        try reserve(1, channel: "webshop")
        try pushMarket(changedSecondsAgo: 20)
        #expect(abs(try #require(try propagation()) - 12) < 1, "0.2 × 20 + 0.8 × 10")
        _ = try ledger.receive(sku: "CUP", location: warehouse, quantity: 5, key: "more")
        try pushMarket(changedSecondsAgo: 100)
        #expect(abs(try #require(try propagation()) - 12) < 1, "an increase is not what a buyer could oversell")
        #expect(abs(try market().steps.lagSeconds - 12) < 1)
    }

    @Test func aHoldWhoseDemandAgedOutIsPushedAgain() throws {
        let pool = fixture.database.pool
        _ = try ledger.receive(sku: "CUP", location: warehouse, quantity: 6, key: "in")
        try defineChannels(lagAware: LagAwareBuffer(window: 5, cap: 5, lowStock: 10, visibilityDelay: 5))
        try reserve(2, channel: "webshop")
        let outbox = OutboxStore(pool: pool)
        let claimed = try outbox.claimDue(channel: "market", limit: 10)
        #expect(claimed.map(\.heldBack) == [4], "2 units in the last 5 s × 5 s of lag: 2 expected, 4 cover it nine times in ten")
        #expect(claimed.map(\.value) == [0])
        try outbox.record(claimed.map { .pushed($0) })
        #expect(try OutboxStore.refreshHeldBack(pool: pool) == 0, "the hold still stands")
        Thread.sleep(forTimeInterval: 5.5)
        #expect(try OutboxStore.refreshHeldBack(pool: pool) == 1, "the demand left the window: the market may show all 4")
        let again = try outbox.claimDue(channel: "market", limit: 10)
        #expect(again.map(\.value) == [4])
        #expect(again.map(\.heldBack) == [0])
        try outbox.record(again.map { .pushed($0) })
        #expect(try OutboxStore.refreshHeldBack(pool: pool) == 0, "nothing held any more")
    }

    @Test func lastUnitsStayWithTheHighestPriorityChannel() throws {
        _ = try ledger.receive(sku: "CUP", location: warehouse, quantity: 3, key: "in")
        try fixture.catalog.upsertChannel(
            ChannelDefinition(code: "market", kind: "allegro", modelsLocations: false, locations: [warehouse], lastUnits: 2))
        try fixture.catalog.upsertChannel(
            ChannelDefinition(code: "webshop", kind: "shopify", modelsLocations: false, locations: [warehouse], lastUnits: 2, priority: 1))
        #expect(try ledger.channelValue(channel: "market", sku: "CUP", scope: "*") == 3, "3 units: above last_units")
        try reserve(1, channel: "webshop")
        #expect(try ledger.channelValue(channel: "market", sku: "CUP", scope: "*") == 0, "2 units left: the webshop keeps them")
        #expect(try ledger.channelValue(channel: "webshop", sku: "CUP", scope: "*") == 2, "nothing outranks the webshop")
        #expect(try market().steps.lastUnitsCut)
        #expect(try market().steps.summary == "2 available, last units kept for a higher-priority channel")
        // A channel selling from other stock does not outrank the market.
        try fixture.catalog.upsertChannel(
            ChannelDefinition(code: "webshop", kind: "shopify", modelsLocations: false, locations: [LedgerFixture.secondWarehouse], priority: 1))
        #expect(try ledger.channelValue(channel: "market", sku: "CUP", scope: "*") == 2)
    }

    @Test func aPriorityChangeRepushesTheChannelsItOutranks() throws {
        _ = try ledger.receive(sku: "CUP", location: warehouse, quantity: 1, key: "in")
        try fixture.catalog.upsertChannel(
            ChannelDefinition(code: "market", kind: "allegro", modelsLocations: false, locations: [warehouse], lastUnits: 1))
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "webshop", kind: "shopify", modelsLocations: false, locations: [warehouse]))
        try fixture.database.pool.execute("UPDATE outbox SET pushed_version = wanted_version, pushed_value = 1")
        try fixture.catalog.upsertChannel(
            ChannelDefinition(code: "webshop", kind: "shopify", modelsLocations: false, locations: [warehouse], priority: 1))
        let due = try fixture.scalar("SELECT count(*)::int FROM outbox WHERE channel = 'market' AND pushed_version IS DISTINCT FROM wanted_version")
        #expect(due == 1, "the market must now show 0")
    }
}
