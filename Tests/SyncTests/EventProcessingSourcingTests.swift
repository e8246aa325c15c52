import ChannelVocabulary
import Channels
import Dispatch
import Foundation
import Ledger
import PostgresClient
import Sync
import TestSupport
import Testing

/// Order lines are sourced over the channel's locations and split when no single location covers them;
/// bundle lines reserve their components (DESIGN.md §5a).
@Suite struct EventProcessingSourcingTests {
    static let wh1 = LedgerFixture.warehouse
    static let wh2 = LedgerFixture.secondWarehouse
    static let store = LedgerFixture.store

    /// A pooled marketplace channel over wh-1 (3 on hand) and wh-2 (2 on hand) of MUG.
    func pooledFixture(sourcing: SourcingPolicy = .priority, maxConnections: Int = 8) throws -> LedgerFixture {
        let fixture = try LedgerFixture(maxConnections: maxConnections)
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "market", kind: "allegro", modelsLocations: false, locations: [Self.wh1, Self.wh2], sourcing: sourcing))
        _ = try fixture.ledger.receive(sku: "MUG", location: Self.wh1, quantity: 3, key: "r1")
        _ = try fixture.ledger.receive(sku: "MUG", location: Self.wh2, quantity: 2, key: "r2")
        return fixture
    }

    func order(
        _ reference: String, _ quantity: Int, sku: String = "MUG", fulfillment: NormalizedEvent.Fulfillment = .ship,
        pickup: String? = nil, destination: String? = nil
    ) -> NormalizedEvent {
        NormalizedEvent(
            id: "created-\(reference)", kind: .orderCreated, orderRef: reference,
            lines: [NormalizedEvent.Line(sku: sku, quantity: quantity)], fulfillment: fulfillment, pickupLocation: pickup,
            destination: destination)
    }

    func ended(_ reference: String, _ kind: NormalizedEvent.Kind) -> NormalizedEvent {
        NormalizedEvent(id: "\(kind.rawValue)-\(reference)", kind: kind, orderRef: reference)
    }

    func reserved(_ fixture: LedgerFixture, _ location: String, sku: String = "MUG") throws -> Int {
        try fixture.scalar("SELECT COALESCE(sum(reserved), 0)::int FROM levels WHERE sku = $1 AND location = $2", [sku, location])
    }

    func onHand(_ fixture: LedgerFixture, _ location: String, sku: String = "MUG") throws -> Int {
        try fixture.scalar("SELECT COALESCE(sum(on_hand), 0)::int FROM levels WHERE sku = $1 AND location = $2", [sku, location])
    }

    func backorders(_ fixture: LedgerFixture) throws -> Int {
        try fixture.scalar("SELECT COALESCE(sum((detail->>'backorder')::int), 0)::int FROM conflicts WHERE kind = 'oversold'")
    }

    @Test func aLineNoSingleLocationCoversIsSplitAndTheChannelValueDrops() throws {
        let fixture = try pooledFixture()
        #expect(try fixture.ledger.channelValue(channel: "market", sku: "MUG", scope: "*") == 5)
        try EventApplier(ledger: fixture.ledger).apply(order("A-1", 4), channel: "market")
        #expect(try reserved(fixture, Self.wh1) == 3)
        #expect(try reserved(fixture, Self.wh2) == 1)
        #expect(try fixture.ledger.channelValue(channel: "market", sku: "MUG", scope: "*") == 1)
        #expect(try fixture.scalar("SELECT count(*)::int FROM conflicts WHERE kind = 'oversold'") == 0)
        #expect(
            try fixture.scalar(
                "SELECT count(*)::int FROM outbox WHERE channel = 'market' AND sku = 'MUG' AND pushed_version IS DISTINCT FROM wanted_version") == 1)
        #expect(try fixture.ledger.verify().isEmpty)
    }

    @Test func aLineLargerThanThePoolReservesEverythingAndRecordsOnlyTheShortfall() throws {
        let fixture = try pooledFixture()
        try EventApplier(ledger: fixture.ledger).apply(order("A-2", 7), channel: "market")
        #expect(try reserved(fixture, Self.wh1) == 3)
        #expect(try reserved(fixture, Self.wh2) == 2)
        #expect(try fixture.ledger.channelValue(channel: "market", sku: "MUG", scope: "*") == 0)
        let conflict = try fixture.database.pool.query(
            "SELECT detail->>'order', (detail->>'requested')::int, (detail->>'reserved')::int, (detail->>'backorder')::int FROM conflicts WHERE kind = 'oversold'"
        ) { rows in
            try rows.map {
                "\(try $0.decode(String.self, at: 0)) \(try $0.decode(Int.self, at: 1)) \(try $0.decode(Int.self, at: 2)) \(try $0.decode(Int.self, at: 3))"
            }
        }
        #expect(conflict == ["A-2 7 5 2"])
        #expect(try fixture.ledger.verify().isEmpty)
    }

    @Test func concurrentOrdersNeverReserveMoreThanExists() throws {
        let fixture = try pooledFixture(maxConnections: 10)
        let applier = EventApplier(ledger: fixture.ledger)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 12) { index in
            do { try applier.apply(order("R-\(index)", 2), channel: "market") } catch { failures.add("\(error)") }
        }
        #expect(failures.all.isEmpty)
        #expect(try reserved(fixture, Self.wh1) == 3)
        #expect(try reserved(fixture, Self.wh2) == 2)
        #expect(try fixture.scalar("SELECT sum(quantity)::int FROM reservations WHERE status = 'active'") == 5)
        #expect(try backorders(fixture) == 24 - 5, "every unit not reserved is a backorder, none lost, none doubled")
        #expect(try fixture.ledger.verify().isEmpty)
    }

    @Test func cancellingASplitOrderReleasesEveryPart() throws {
        let fixture = try pooledFixture()
        let applier = EventApplier(ledger: fixture.ledger)
        try applier.apply(order("C-1", 4), channel: "market")
        try applier.apply(ended("C-1", .orderCancelled), channel: "market")
        #expect(try reserved(fixture, Self.wh1) == 0)
        #expect(try reserved(fixture, Self.wh2) == 0)
        #expect(try fixture.scalar("SELECT count(*)::int FROM reservations WHERE status = 'released'") == 2)
        #expect(try fixture.ledger.channelValue(channel: "market", sku: "MUG", scope: "*") == 5)
        #expect(try fixture.ledger.verify().isEmpty)
    }

    @Test func fulfillingASplitOrderCommitsEveryPart() throws {
        let fixture = try pooledFixture()
        let applier = EventApplier(ledger: fixture.ledger)
        try applier.apply(order("F-1", 4), channel: "market")
        try applier.apply(ended("F-1", .orderFulfilled), channel: "market")
        try applier.apply(ended("F-1", .orderFulfilled), channel: "market")
        #expect(try onHand(fixture, Self.wh1) == 0)
        #expect(try onHand(fixture, Self.wh2) == 1)
        #expect(try reserved(fixture, Self.wh1) + reserved(fixture, Self.wh2) == 0)
        #expect(try fixture.scalar("SELECT count(*)::int FROM reservations WHERE status = 'committed'") == 2)
        #expect(try fixture.ledger.verify().isEmpty)
    }

    @Test func aReplayedOrderChangesNothing() throws {
        let fixture = try pooledFixture()
        let applier = EventApplier(ledger: fixture.ledger, orderHold: 3600)
        try applier.apply(order("P-1", 7), channel: "market")
        try applier.apply(order("P-1", 7), channel: "market")
        #expect(try fixture.scalar("SELECT count(*)::int FROM reservations") == 2)
        #expect(try reserved(fixture, Self.wh1) == 3)
        #expect(try reserved(fixture, Self.wh2) == 2)
        #expect(try fixture.scalar("SELECT count(*)::int FROM conflicts WHERE kind = 'oversold'") == 1)
        #expect(try fixture.ledger.verify().isEmpty)
    }

    @Test func sourcingIsIdempotentByKeyWhateverTheExpiry() throws {
        let fixture = try pooledFixture()
        var request = SourcingRequest(
            channel: "market", externalRef: "K-1", kind: .order, lines: [SourcingRequest.Line(sku: "MUG", quantity: 6)],
            expiresAt: Date().addingTimeInterval(60))
        let first = try fixture.ledger.source(request, key: "order:market:K-1")
        request.expiresAt = Date().addingTimeInterval(120)
        let again = try fixture.ledger.source(request, key: "order:market:K-1")
        #expect(again == first)
        #expect(first.reservations.map { "\($0.location):\($0.quantity)" } == ["\(Self.wh1):3", "\(Self.wh2):2"])
        #expect(first.backorders.map(\.missing) == [1])
        #expect(try fixture.scalar("SELECT count(*)::int FROM reservations") == 2)
        #expect(try fixture.scalar("SELECT count(*)::int FROM conflicts WHERE kind = 'oversold'") == 1)
        #expect(try fixture.ledger.verify().isEmpty)
    }

    @Test func mostAvailableAndNearestRankTheLocations() throws {
        let fixture = try pooledFixture(sourcing: .mostAvailable)
        _ = try fixture.ledger.receive(sku: "MUG", location: Self.wh2, quantity: 3, key: "r3")  // wh-2 now has 5
        try EventApplier(ledger: fixture.ledger).apply(order("M-1", 2), channel: "market")
        #expect(try reserved(fixture, Self.wh2) == 2)
        #expect(try reserved(fixture, Self.wh1) == 0)
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "market", kind: "allegro", modelsLocations: false, locations: [Self.wh1, Self.wh2], sourcing: .nearest))
        try fixture.catalog.replaceDistances(["PL-SOUTH": [Self.wh1: 400, Self.wh2: 50]])
        try EventApplier(ledger: fixture.ledger).apply(order("N-1", 4, destination: "PL-SOUTH"), channel: "market")
        #expect(try reserved(fixture, Self.wh2) == 5, "3 of N-1 from the nearer wh-2")
        #expect(try reserved(fixture, Self.wh1) == 1, "the rest from wh-1")
        try EventApplier(ledger: fixture.ledger).apply(order("N-2", 1), channel: "market")
        #expect(try reserved(fixture, Self.wh1) == 2, "no destination: priority order")
    }

    @Test func aPickupOrderTakesTheStoreFirstAndProposesATransferForTheRest() throws {
        let fixture = try pooledFixture()
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "web", kind: "shopify", modelsLocations: true, locations: [Self.wh1, Self.wh2, Self.store]))
        try fixture.catalog.replaceDistances([Self.store: [Self.wh2: 10, Self.wh1: 300]])
        _ = try fixture.ledger.receive(sku: "MUG", location: Self.store, quantity: 1, key: "r4")
        try EventApplier(ledger: fixture.ledger).apply(
            order("W-1", 3, fulfillment: .pickup, pickup: Self.store), channel: "web")
        #expect(try reserved(fixture, Self.store) == 1)
        #expect(try reserved(fixture, Self.wh2) == 2, "the rest held at the store's nearest location")
        #expect(try fixture.scalar("SELECT count(*)::int FROM reservations WHERE kind = 'pickup' AND status = 'active'") == 2)
        let proposal = try fixture.database.pool.query(
            "SELECT location, detail->'transfer'->>'from', (detail->'transfer'->>'quantity')::int, detail->'orders'->>0 FROM conflicts WHERE kind = 'pickup_shortfall'"
        ) { rows in
            try rows.map {
                "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(Int.self, at: 2)) \(try $0.decode(String.self, at: 3))"
            }
        }
        #expect(proposal == ["\(Self.store) \(Self.wh2) 2 W-1"])
        try EventApplier(ledger: fixture.ledger).apply(ended("W-1", .orderFulfilled), channel: "web")
        #expect(try fixture.scalar("SELECT count(*)::int FROM reservations WHERE status = 'committed'") == 2)
        #expect(try fixture.ledger.verify().isEmpty)
    }

    @Test func aBundleOrderReservesItsComponentsAndTheBundleValueFollowsThem() throws {
        let fixture = try LedgerFixture(skus: ["CUP", "SAUCER", "MUG"])
        try fixture.catalog.defineBundle("CUP-SET", components: ["CUP": 2, "SAUCER": 1])
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "market", kind: "allegro", modelsLocations: false, locations: [Self.wh1, Self.wh2]))
        _ = try fixture.ledger.receive(sku: "CUP", location: Self.wh1, quantity: 4, key: "c1")
        _ = try fixture.ledger.receive(sku: "CUP", location: Self.wh2, quantity: 4, key: "c2")
        _ = try fixture.ledger.receive(sku: "SAUCER", location: Self.wh2, quantity: 4, key: "s1")
        #expect(try fixture.ledger.channelValue(channel: "market", sku: "CUP-SET", scope: "*") == 4)
        let applier = EventApplier(ledger: fixture.ledger)
        try applier.apply(order("B-1", 3, sku: "CUP-SET"), channel: "market")
        #expect(try reserved(fixture, Self.wh1, sku: "CUP") == 4)
        #expect(try reserved(fixture, Self.wh2, sku: "CUP") == 2)
        #expect(try reserved(fixture, Self.wh2, sku: "SAUCER") == 3)
        #expect(try fixture.ledger.channelValue(channel: "market", sku: "CUP-SET", scope: "*") == 1)
        #expect(
            try fixture.scalar(
                "SELECT count(*)::int FROM outbox WHERE channel = 'market' AND sku = 'CUP-SET' AND pushed_version IS DISTINCT FROM wanted_version")
                == 1)
        // A component sold elsewhere lowers the bundle's value at once.
        _ = try fixture.ledger.reserve(ReservationRequest(sku: "SAUCER", location: Self.wh2, quantity: 1, kind: .order), key: "other")
        #expect(try fixture.ledger.channelValue(channel: "market", sku: "CUP-SET", scope: "*") == 0)
        try applier.apply(ended("B-1", .orderCancelled), channel: "market")
        #expect(try fixture.scalar("SELECT sum(reserved)::int FROM levels WHERE sku = 'CUP'") == 0)
        #expect(try reserved(fixture, Self.wh2, sku: "SAUCER") == 1)
        #expect(try fixture.ledger.verify().isEmpty)
        #expect(try fixture.ledger.verifyBundles().isEmpty)
    }

    @Test func aBundleOrderTheComponentsCannotCoverBackordersTheMissingComponent() throws {
        let fixture = try LedgerFixture(skus: ["CUP", "SAUCER"])
        try fixture.catalog.defineBundle("CUP-SET", components: ["CUP": 2, "SAUCER": 1])
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "market", kind: "allegro", modelsLocations: false, locations: [Self.wh1]))
        _ = try fixture.ledger.receive(sku: "CUP", location: Self.wh1, quantity: 10, key: "c1")
        _ = try fixture.ledger.receive(sku: "SAUCER", location: Self.wh1, quantity: 1, key: "s1")
        try EventApplier(ledger: fixture.ledger).apply(order("B-2", 2, sku: "CUP-SET"), channel: "market")
        #expect(try reserved(fixture, Self.wh1, sku: "CUP") == 4)
        #expect(try reserved(fixture, Self.wh1, sku: "SAUCER") == 1)
        let conflict = try fixture.database.pool.query(
            "SELECT sku, detail->>'bundle', (detail->>'backorder')::int FROM conflicts WHERE kind = 'oversold'"
        ) { rows in try rows.map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(Int.self, at: 2))" } }
        #expect(conflict == ["SAUCER CUP-SET 1"])
    }
}

/// Errors collected from concurrent work.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []
    func add(_ error: String) { lock.withLock { errors.append(error) } }
    var all: [String] { lock.withLock { errors } }
}
