import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Testing

@Suite("prestashop orders: polled by date_upd")
struct PrestaShopOrderTests {
    static let key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    func channel(
        _ simulator: PrestaShopSimulator, pageSize: Int = 100, orderOverlap: TimeInterval = 0,
        cancelledStates: Set<Int> = PrestaShopConfiguration.installerCancelledStates
    ) -> PrestaShopChannel {
        PrestaShopChannel(
            configuration: PrestaShopConfiguration(
                shopURL: simulator.baseURL, key: Self.key, pageSize: pageSize, orderOverlap: orderOverlap, cancelledStates: cancelledStates),
            client: sharedClient)
    }

    /// Every page from `cursor` on: the events and the cursor to store at the end.
    func readAll(_ channel: PrestaShopChannel, from cursor: String?) async throws -> (events: [NormalizedEvent], cursor: String?, pages: Int) {
        var events: [NormalizedEvent] = []
        var cursor = cursor
        var pages = 0
        while true {
            let page = try await channel.fetchOrders(since: cursor)
            events += page.items
            cursor = page.nextCursor
            pages += 1
            if !page.hasMore { return (events, cursor, pages) }
        }
    }

    @Test("states map to events: paid → created, shipped flag → created and fulfilled, cancelled/refunded → cancelled")
    func stateMapping() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            simulator.addProductWithCombinations(reference: "TSHIRT", combinations: [("TSHIRT-S", 5)])
            simulator.addProduct(reference: "MUG", quantity: 9)
            let own = simulator.addOrderState(shipped: true)
            let paid = simulator.addOrder(lines: [("MUG", 2), ("TSHIRT-S", 1)], at: Self.start)
            let shipped = simulator.addOrder(lines: [("MUG", 1)], state: 4, at: Self.start + 1)
            let cancelled = simulator.addOrder(lines: [("MUG", 1)], state: 6, at: Self.start + 2)
            let refunded = simulator.addOrder(lines: [("MUG", 1)], state: 7, at: Self.start + 3)
            let handedOver = simulator.addOrder(lines: [("MUG", 1)], state: own, at: Self.start + 4)
            let events = try await readAll(channel(simulator), from: nil).events
            #expect(
                events.map(\.id) == [
                    "prestashop-order-\(paid.id)/orderCreated", "prestashop-order-\(shipped.id)/orderCreated",
                    "prestashop-order-\(shipped.id)/orderFulfilled", "prestashop-order-\(cancelled.id)/orderCancelled",
                    "prestashop-order-\(refunded.id)/orderCancelled", "prestashop-order-\(handedOver.id)/orderCreated",
                    "prestashop-order-\(handedOver.id)/orderFulfilled",
                ])
            #expect(events[0].lines.map(\.sku) == ["MUG", "TSHIRT-S"] && events[0].lines.map(\.quantity) == [2, 1])
            #expect(events[0].orderRef == String(paid.id) && events[0].occurredAt == Self.start)
            #expect(simulator.requests.contains { $0.path == "/api/order_states" })
        }
    }

    @Test("a shop's own cancelling state, configured, cancels; an installer id it reuses for another state does not")
    func configuredCancellingStates() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            simulator.addProduct(reference: "MUG", quantity: 9)
            let voided = simulator.addOrderState(shipped: false)
            let inVoidedState = simulator.addOrder(lines: [("MUG", 1)], state: voided, at: Self.start)
            let inState6 = simulator.addOrder(lines: [("MUG", 2)], state: 6, at: Self.start + 1)
            func read(cancelledStates: Set<Int>) async throws -> [String] {
                try await readAll(channel(simulator, cancelledStates: cancelledStates), from: nil).events
                    .map { "\($0.orderRef ?? "")/\($0.kind.rawValue)" }
            }
            let installers = try await read(cancelledStates: PrestaShopConfiguration.installerCancelledStates)
            #expect(installers == ["\(inVoidedState.id)/orderCreated", "\(inState6.id)/orderCancelled"])
            let shops = try await read(cancelledStates: [voided, 7, 8])
            #expect(shops == ["\(inVoidedState.id)/orderCancelled", "\(inState6.id)/orderCreated"])
        }
    }

    @Test("the cursor is the latest date_upd; a later read returns only what changed, the overlap reads the boundary again")
    func cursor() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            simulator.addProduct(reference: "MUG", quantity: 9)
            let first = simulator.addOrder(lines: [("MUG", 1)], at: Self.start)
            let second = simulator.addOrder(lines: [("MUG", 2)], at: Self.start + 10)
            let initial = try await readAll(channel(simulator), from: nil)
            #expect(initial.events.count == 2)
            #expect(initial.cursor == PrestaShopSimulator.shopDate(Self.start + 10))
            #expect(try await readAll(channel(simulator), from: initial.cursor).events.count == 1, "the cursor's second is read again")
            simulator.updateOrder(first.id, state: 6, at: Self.start + 20)
            let later = try await readAll(channel(simulator), from: initial.cursor)
            #expect(later.events.map(\.kind) == [.orderCreated, .orderCancelled])
            #expect(later.cursor == PrestaShopSimulator.shopDate(Self.start + 20))
            let overlapping = try await readAll(channel(simulator, orderOverlap: 15), from: later.cursor)
            #expect(overlapping.events.map(\.orderRef) == [String(second.id), String(first.id)], "15 s of overlap reach back to +5 s")
            let query = try #require(simulator.requests.last { $0.path == "/api/orders" }?.query)
            #expect(query.contains("date=1"))
        }
    }

    @Test("pages hold orders of one second together: every order is read once, even one saved between pages")
    func sameSecondPaging() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            simulator.addProduct(reference: "MUG", quantity: 99)
            let orders = (0..<5).map { _ in simulator.addOrder(lines: [("MUG", 1)], at: Self.start) }
            simulator.addOrder(lines: [("MUG", 1)], at: Self.start + 1)
            let channel = channel(simulator, pageSize: 2)
            let page1 = try await channel.fetchOrders(since: nil)
            #expect(page1.hasMore && page1.items.count == 2)
            // An order of page 1 changes before page 2 is read: it moves to the end of the list.
            simulator.updateOrder(orders[0].id, state: 4, at: Self.start + 2)
            let rest = try await readAll(channel, from: page1.nextCursor)
            let created = Set((page1.items + rest.events).filter { $0.kind == .orderCreated }.compactMap(\.orderRef))
            #expect(created.count == 6, "no order skipped: \(created.sorted())")
            #expect((page1.items + rest.events).contains { $0.kind == .orderFulfilled && $0.orderRef == String(orders[0].id) })
            #expect(rest.cursor == PrestaShopSimulator.shopDate(Self.start + 2))
        }
    }

    @Test("an empty or unreadable cursor starts from the beginning; an empty list is []")
    func emptyAndUnreadable() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            let none = try await channel(simulator).fetchOrders(since: nil)
            #expect(none.items.isEmpty && !none.hasMore && none.nextCursor == "1970-01-01 00:00:00")
            simulator.addProduct(reference: "MUG", quantity: 9)
            simulator.addOrder(lines: [("MUG", 1)], at: Self.start)
            let page = try await channel(simulator).fetchOrders(since: "garbage")
            #expect(page.items.count == 1 && page.nextCursor == PrestaShopSimulator.shopDate(Self.start))
        }
    }
}
