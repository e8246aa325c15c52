import ChannelVocabulary
import Foundation
import HTTPTypes
import Ledger
import Logging
import PostgresClient
import Sync
import TestSupport
import Testing

/// What a channel does is decided by the capabilities its adapter declares, never by its kind's name: a kind
/// declaring the opposite of what its real adapter does must get the opposite treatment (issue 18).
@Suite struct CapabilityTests {
    /// A catalogue of one item per SKU (external id `item-<SKU>`), each counted at 1 on hand and showing 0 at the
    /// fixture's click-and-collect store, under whatever kind and capabilities `Declared` says.
    struct DeclaredChannel<Declared: Declaration>: Channel {
        static var kind: String { Declared.kind }
        static var capabilities: ChannelCapabilities { Declared.capabilities }
        var largestBatch: Int { 100 }

        func pushLevels(_ levels: [ChannelLevel]) async -> PushResult {
            PushResult(items: levels.map { PushResult.Item(level: $0, outcome: .ok) })
        }

        func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot> {
            let items = ["MUG", "CAP"].map { (sku: String) in
                ChannelLevelSnapshot(sku: sku, location: LedgerFixture.store, available: 0, onHand: 1, externalID: "item-" + sku)
            }
            return Page(items: items, nextCursor: nil, hasMore: false)
        }

        func fetchOrders(since cursor: String?) async throws(ChannelError) -> Page<NormalizedEvent> {
            Page(items: [], nextCursor: cursor, hasMore: false)
        }

        func verifyWebhook(headers: HTTPFields, body: [UInt8], now: Date) -> WebhookVerdict { .rejected("no webhooks") }

        func parseWebhook(headers: HTTPFields, body: [UInt8]) throws(ChannelError) -> [NormalizedEvent] { [] }
    }

    protocol Declaration {
        static var kind: String { get }
        static var capabilities: ChannelCapabilities { get }
    }

    /// A store endpoint's kind whose adapter would say it needs listings and holds no reservations.
    enum StoreKindDeclaringListings: Declaration {
        static let kind = "omnistock-json"
        static let capabilities = ChannelCapabilities(needsListings: true, modelsLocations: true)
    }

    /// A marketplace's kind whose adapter would say it holds reservations and needs no listings.
    enum ShopKindHoldingReservations: Declaration {
        static let kind = "shopify"
        static let capabilities = ChannelCapabilities(holdsReservations: true, modelsLocations: true)
    }

    /// A marketplace's kind whose adapter would say it reports store counts.
    enum ShopKindReportingCounts: Declaration {
        static let kind = "shopify"
        static let capabilities = ChannelCapabilities(reportsCounts: true, modelsLocations: true)
    }

    @Test("reconcile records a channel's counts when it declares reportsCounts, whatever its kind")
    func countsFollowTheDeclaration() async throws {
        let cases: [(channel: any Channel, counts: Bool)] = [
            (DeclaredChannel<ShopKindReportingCounts>(), true), (DeclaredChannel<StoreKindDeclaringListings>(), false),
        ]
        for (channel, counts) in cases {
            let fixture = try LedgerFixture()
            try fixture.catalog.upsertChannel(
                ChannelDefinition(
                    code: "c", kind: type(of: channel).kind, modelsLocations: true, locations: [LedgerFixture.store]
                ).declaring(channel.capabilities))
            _ = try fixture.ledger.receive(sku: "MUG", location: LedgerFixture.store, quantity: 3, key: "r")
            let engine = ReconcileEngine(
                pool: fixture.database.pool, ledger: fixture.ledger, endpoints: [ChannelEndpoint(code: "c", channel: channel)])
            let report = try await engine.run(channel: nil, dryRun: false, trigger: .cli)
            let kind = type(of: channel).kind
            #expect(report.channels.first?.countChanges == (counts ? 2 : 0), "\(kind) declaring reportsCounts: \(counts) (MUG 3 → 1, CAP 0 → 1)")
            let onHand = try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'MUG' AND location = $1", [LedgerFixture.store])
            #expect(onHand == (counts ? 1 : 3), "\(kind): the store's count of 1 is taken only when declared")
        }
    }

    @Test("pickup holds go to the channels that declare holdsReservations, whatever their kind")
    func pickupHoldsFollowTheDeclaration() throws {
        let fixture = try LedgerFixture()
        let store = LedgerFixture.store
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "shop", kind: ShopKindHoldingReservations.kind, modelsLocations: true, locations: [store]
            ).declaring(ShopKindHoldingReservations.capabilities))
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "pos", kind: StoreKindDeclaringListings.kind, modelsLocations: true, locations: [store]
            ).declaring(StoreKindDeclaringListings.capabilities))
        _ = try fixture.ledger.receive(sku: "MUG", location: store, quantity: 3, key: "r")
        _ = try fixture.ledger.reserve(
            ReservationRequest(
                sku: "MUG", location: store, quantity: 1, kind: .pickup, channel: "shop", externalRef: "WEB-1",
                expiresAt: Date().addingTimeInterval(86_400)), key: "p")
        let queued = try fixture.database.pool.query("SELECT channel FROM reservation_outbox ORDER BY channel") { rows in
            try rows.map { try $0.decode(String.self, at: 0) }
        }
        #expect(queued == ["shop"], "the hold goes to the channel declaring holdsReservations, not to the omnistock-json kind")
    }

    @Test("listing discovery and the unmatched report follow needsListings, whatever the kind")
    func listingsFollowTheDeclaration() async throws {
        let fixture = try LedgerFixture()
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "pos", kind: StoreKindDeclaringListings.kind, modelsLocations: true
            ).declaring(StoreKindDeclaringListings.capabilities))
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "shop", kind: ShopKindHoldingReservations.kind, modelsLocations: true
            ).declaring(ShopKindHoldingReservations.capabilities))
        let discovery = ListingDiscovery(pool: fixture.database.pool, logger: Logger(label: "test"))
        let needing = DeclaredChannel<StoreKindDeclaringListings>()
        let notNeeding = DeclaredChannel<ShopKindHoldingReservations>()
        #expect(try await discovery.discover(code: "pos", channel: needing) == 2, "MUG and CAP found under the omnistock-json kind")
        #expect(try await discovery.discover(code: "shop", channel: notNeeding) == 0, "a kind declaring no listings is not searched")
        #expect(try await discovery.survey(code: "shop", channel: notNeeding) == 0)
        #expect(try fixture.catalog.unmatched().map(\.channel) == ["pos"], "only channels that need listings are reported")
    }
}
