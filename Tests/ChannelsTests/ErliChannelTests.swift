import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Synchronization
import Testing

import struct HTTPTypes.HTTPFields

@Suite("erli channel against its simulator")
struct ErliChannelTests {
    static func channel(
        _ simulator: ErliSimulator, key: String = "erli-key", batchSize: Int = 100, pageSize: Int = 200, ordersPageSize: Int = 200,
        settleWindow: TimeInterval = 60
    ) -> ErliChannel {
        ErliChannel(
            configuration: ErliConfiguration(
                apiURL: simulator.baseURL, apiKey: key, batchSize: batchSize, pageSize: pageSize, ordersPageSize: ordersPageSize,
                settleWindow: settleWindow),
            client: sharedClient)
    }

    static func level(_ sku: String, _ value: Int, version: Int64 = 1) -> ChannelLevel {
        ChannelLevel(sku: sku, location: ChannelLevel.pooled, value: value, version: version, externalID: sku)
    }

    @Test("levels go out in PATCH /products/batch-update chunks of batch_size, with the API key as bearer token")
    func batchPush() async throws {
        try await withSimulator(ErliSimulator(apiKey: "erli-key")) { simulator in
            for sku in ["A", "B", "C"] { simulator.addProduct(externalId: sku, stock: 1) }
            let result = await Self.channel(simulator, batchSize: 2).pushLevels([Self.level("A", 7), Self.level("B", 0), Self.level("C", 3)])
            #expect(result.outcomes == [.ok, .ok, .ok])
            let calls = simulator.requests.filter { $0.method == "PATCH" }
            #expect(calls.map(\.path) == ["/products/batch-update", "/products/batch-update"])
            #expect(calls.first?.bodyText == #"[{"externalId":"A","stock":7},{"externalId":"B","stock":0}]"#)
            #expect(calls.allSatisfy { $0.header("authorization") == "Bearer erli-key" })
            #expect(["A", "B", "C"].map { simulator.product($0)?.stock } == [7, 0, 3])
        }
    }

    @Test("a value Erli accepted but does not show yet is reported as accepted, not as drift; afterwards reads count as they are")
    func acceptedWritesSettle() async throws {
        try await withSimulator(ErliSimulator(apiKey: "erli-key", applyDelay: 0.4)) { simulator in
            simulator.addProduct(externalId: "A", stock: 3)
            let channel = Self.channel(simulator)
            #expect(await channel.pushLevels([Self.level("A", 7)]).outcomes == [.ok])
            #expect(simulator.product("A")?.stock == 3, "Erli accepted (202) but shows the old value")
            #expect(try await allLevels(channel).items.map(\.available) == [7])
            // Without the record of accepted writes, the same read is a difference reconcile would call drift.
            #expect(try await allLevels(Self.channel(simulator, settleWindow: 0)).items.map(\.available) == [3])

            try await Task.sleep(for: .milliseconds(600))
            #expect(simulator.product("A")?.stock == 7)
            #expect(try await allLevels(channel).items.map(\.available) == [7])
            #expect(channel.acceptedWrites.count == 0, "a read that shows the value settles it")
        }
    }

    @Test("after the settle window, a read that still differs is reported as it is (an edit at Erli is drift)")
    func settleWindowEnds() async throws {
        try await withSimulator(ErliSimulator(apiKey: "erli-key", applyDelay: 3600)) { simulator in
            simulator.addProduct(externalId: "A", stock: 3)
            let clock = TestClock()
            let channel = ErliChannel(
                configuration: ErliConfiguration(apiURL: simulator.baseURL, apiKey: "erli-key", settleWindow: 60), client: sharedClient,
                now: { clock.now })
            #expect(await channel.pushLevels([Self.level("A", 7)]).outcomes == [.ok])
            let settling = try await allLevels(channel).items
            #expect(settling.map(\.available) == [7])
            clock.advance(61)
            let settled = try await allLevels(channel).items
            #expect(settled.map(\.available) == [3])
            #expect(channel.acceptedWrites.count == 0)
        }
    }

    @Test("unknown product (404), stock frozen in the panel, a value outside Erli's range and a per-location value are refused for good")
    func refusals() async throws {
        try await withSimulator(ErliSimulator(apiKey: "erli-key")) { simulator in
            simulator.addProduct(externalId: "A", stock: 1)
            simulator.addProduct(externalId: "F", stock: 4, frozenStock: true)
            let result = await Self.channel(simulator).pushLevels([
                Self.level("A", 2), Self.level("GONE", 2), Self.level("F", 9), Self.level("A", 2_000_000_001),
                ChannelLevel(sku: "A", location: "store-krakow", value: 1, version: 1, externalID: "A"),
            ])
            #expect(result.outcomes[0] == .ok)
            for (index, words) in [(1, "unknown"), (2, "frozen"), (3, "range"), (4, "pooled")] {
                guard case .permanent(let message) = result.outcomes[index], message.contains(words) else {
                    Issue.record("item \(index): \(result.outcomes[index])")
                    continue
                }
            }
            #expect(simulator.product("F")?.stock == 4, "a frozen stock is not changed by the API")
            #expect(!(simulator.requests.last?.bodyText.contains("2000000001") ?? true), "an out-of-range value is never sent")
        }
    }

    @Test("429 with Retry-After, 5xx, a wrong API key and a broken batch answer")
    func failures() async throws {
        try await withSimulator(ErliSimulator(apiKey: "erli-key")) { simulator in
            simulator.addProduct(externalId: "A", stock: 1)
            simulator.addProduct(externalId: "B", stock: 1)
            let channel = Self.channel(simulator)
            simulator.inject(.fail(status: 429, retryAfter: 7))
            #expect(
                await channel.pushLevels([Self.level("A", 2), Self.level("B", 2)]).outcomes == [.retryAfter(seconds: 7), .retryAfter(seconds: 7)])
            simulator.inject(.fail(status: 502))
            guard case .transient = await channel.pushLevels([Self.level("A", 2)]).outcomes[0] else {
                Issue.record("502")
                return
            }
            guard case .permanent(let message) = await Self.channel(simulator, key: "wrong").pushLevels([Self.level("A", 2)]).outcomes[0] else {
                Issue.record("401")
                return
            }
            #expect(message.contains("401"))
            simulator.answerRaw([#"[{"externalId":"A","status":202,"result":{"updatedFields":["stock"]}}]"#, "<html>oops</html>"])
            let partial = await channel.pushLevels([Self.level("A", 3), Self.level("B", 3)]).outcomes
            #expect(partial[0] == .ok)
            guard case .transient = partial[1] else {
                Issue.record("an item missing from the answer: \(partial[1])")
                return
            }
            guard case .permanent = await channel.pushLevels([Self.level("A", 4)]).outcomes[0] else {
                Issue.record("malformed answer")
                return
            }
            let levels = try await allLevels(channel).items
            #expect(levels.count == 2, "the channel still works afterwards")
        }
    }

    @Test(
        "the simulator enforces Erli's stock rules: the documented range, 404 for unknown products, a purchase takes stock, a cancellation gives none back"
    )
    func vendorStockRules() async throws {
        try await withSimulator(ErliSimulator(apiKey: "erli-key")) { simulator in
            simulator.addProduct(externalId: "A", stock: 5)
            func patch(_ path: String, _ body: String) async throws -> HTTPResponse {
                try await sharedClient.execute(
                    HTTPRequest(
                        method: .patch, url: simulator.baseURL + path,
                        headers: ["Authorization": "Bearer erli-key", "Content-Type": "application/json"], body: bytes(body)))
            }
            #expect(try await patch("/products/A", #"{"stock":2000000001}"#).status == 400)
            #expect(try await patch("/products/A", #"{"stock":1.5}"#).status == 400)
            #expect(try await patch("/products/NOPE", #"{"stock":1}"#).status == 404)
            #expect(try await patch("/products/A", #"{"stock":-2000000000}"#).status == 202)
            #expect(simulator.product("A")?.stock == -2_000_000_000)
            #expect(try await patch("/products/A", #"{"stock":5}"#).status == 202)

            let order = try #require(simulator.placeOrder([("A", 2)]))
            #expect(simulator.product("A")?.stock == 3)
            simulator.cancelOrder(order)
            #expect(simulator.product("A")?.stock == 3, "Erli does not give the stock back")
            #expect(await Self.channel(simulator).pushLevels([Self.level("A", 5)]).outcomes == [.ok])
            #expect(simulator.product("A")?.stock == 5, "Omnistock's push does")
        }
    }

    @Test("fetchLevels pages by externalId with `after`; archived products are left out; barcodes come from `ean`")
    func levelPaging() async throws {
        try await withSimulator(ErliSimulator(apiKey: "erli-key")) { simulator in
            simulator.addProduct(externalId: "A", stock: 1, ean: "5901234123457")
            simulator.addProduct(externalId: "B", stock: 2, archived: true)
            simulator.addProduct(externalId: "C", stock: 3)
            simulator.addProduct(externalId: "D", stock: 4, ean: "4006381333931")
            let channel = Self.channel(simulator, pageSize: 2)
            let first = try await channel.fetchLevels(cursor: nil)
            #expect(first.hasMore && first.nextCursor == "B")
            #expect(first.items.map(\.sku) == ["A"])
            let second = try await channel.fetchLevels(cursor: first.nextCursor)
            #expect(second.items.map(\.sku) == ["C", "D"] && second.hasMore)
            let third = try await channel.fetchLevels(cursor: second.nextCursor)
            #expect(third.items.isEmpty && !third.hasMore)
            let search = try #require(simulator.requests.first { $0.path == "/products/_search" })
            #expect(search.bodyText.contains(#""limit":2"#) && search.bodyText.contains(#""sortField":"externalId""#))
            #expect(simulator.requests.filter { $0.path == "/products/_search" }.dropFirst().first?.bodyText.contains(#""after":"B""#) == true)
            #expect(try await channel.discoverListings(skus: ["D", "A", "B"]) == ["A": "A", "D": "D"])
            let byBarcode = try await channel.catalogueItems(matching: ["4006381333931"], by: .barcode)
            #expect(byBarcode.map(\.externalID) == ["D"])
        }
    }

    @Test("a hostile product search answer never traps: bad JSON fails the page, odd products are skipped")
    func hostileLevels() async throws {
        try await withSimulator(ErliSimulator(apiKey: "erli-key")) { simulator in
            let channel = Self.channel(simulator)
            simulator.answerRaw(["{not json", #"{"items":[]}"#])
            for _ in 0..<2 {
                await #expect(throws: ChannelError.self) { try await channel.fetchLevels(cursor: nil) }
            }
            simulator.answerRaw([
                #"[{"externalId":"A","stock":1e30},{"externalId":"B","stock":"many"},{"stock":4},{"externalId":"C","stock":-3},"#
                    + #"{"externalId":"D","stock":2000000001},{"externalId":"E","stock":9223372036854775807},{"externalId":"F","stock":6,"ean":12}]"#
            ])
            let page = try await channel.fetchLevels(cursor: nil)
            #expect(page.items.map(\.sku) == ["C", "F"])
            #expect(page.items.map(\.available) == [-3, 6])
        }
    }

    @Test(
        "orders: POST /orders/_search by `updated` with Erli's cursor; statuses become created, cancelled, fulfilled; the first read only a day back"
    )
    func orders() async throws {
        try await withSimulator(ErliSimulator(apiKey: "erli-key")) { simulator in
            simulator.addProduct(externalId: "MUG", stock: 10)
            simulator.addProduct(externalId: "CAP", stock: 10)
            let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 100).rounded(.down))
            let seconds = Int(start.timeIntervalSince1970)
            simulator.placeOrder([("MUG", 1)], at: start.addingTimeInterval(-2 * 86_400))
            let first = try #require(simulator.placeOrder([("MUG", 2), ("CAP", 1)], at: start))
            let second = try #require(simulator.placeOrder([("CAP", 1)], status: "pending", at: start))
            let third = try #require(simulator.placeOrder([("MUG", 1)], at: start.addingTimeInterval(5)))
            let channel = Self.channel(simulator, ordersPageSize: 2)

            let page1 = try await channel.fetchOrders(since: nil)
            #expect(page1.hasMore)
            #expect(page1.nextCursor == "\(seconds);\(second)", "two orders of one second are told apart by id")
            let firstRead = try #require(simulator.requests.first { $0.path == "/orders/_search" })
            #expect(
                firstRead.bodyText.contains(#""filter":{"field":"updated","operator":">=""#),
                "the first read looks back a day, not at the whole history")
            #expect(page1.items.map(\.id) == ["erli-order-\(first)/orderCreated", "erli-order-\(second)/orderCreated"])
            #expect(page1.items[0].lines == [.init(sku: "MUG", externalID: "MUG", quantity: 2), .init(sku: "CAP", externalID: "CAP", quantity: 1)])
            #expect(try await channel.fetchOrders(since: nil).items == page1.items, "a page read again is the same")

            let page2 = try await channel.fetchOrders(since: page1.nextCursor)
            #expect(page2.items.map(\.orderRef) == [third] && !page2.hasMore)
            let end = try await channel.fetchOrders(since: page2.nextCursor)
            #expect(end.items.isEmpty && end.nextCursor == page2.nextCursor && !end.hasMore)

            simulator.cancelOrder(second, at: start.addingTimeInterval(10))
            simulator.setSellerStatus(first, "sent", at: start.addingTimeInterval(11))
            let changes = try await channel.fetchOrders(since: end.nextCursor)
            #expect(
                changes.items.map(\.id) == [
                    "erli-order-\(second)/orderCancelled", "erli-order-\(first)/orderCreated", "erli-order-\(first)/orderFulfilled",
                ])
            let search = try #require(simulator.requests.last { $0.path == "/orders/_search" })
            #expect(search.bodyText.contains(#""sortField":"updated""#) && search.bodyText.contains(#""after":"\#(page2.nextCursor ?? "")""#))
        }
    }

    @Test("hostile orders: a missing id or cursor fails the page; an unreadable quantity reaches the ledger out of range")
    func hostileOrders() async throws {
        try await withSimulator(ErliSimulator(apiKey: "erli-key")) { simulator in
            let channel = Self.channel(simulator)
            simulator.answerRaw([#"[{"status":"purchased","cursor":"1;1x1"}]"#, #"[{"id":"1x1","status":"purchased"}]"#, "null"])
            for _ in 0..<3 {
                await #expect(throws: ChannelError.self) { try await channel.fetchOrders(since: "0;0x0") }
            }
            simulator.answerRaw([
                #"[{"id":"1x1","status":"purchased","cursor":"5;1x1","items":[{"externalId":"A","quantity":1e40},{"externalId":"B","quantity":-2}]},"#
                    + #"{"id":"1x2","status":"someday","cursor":"6;1x2"}]"#
            ])
            let page = try await channel.fetchOrders(since: nil)
            #expect(page.items.map(\.id) == ["erli-order-1x1/orderCreated"], "an unknown status gives no event")
            #expect(page.items.first?.lines.map(\.quantity) == [Int.max, -2])
            #expect(page.nextCursor == "6;1x2")
        }
    }

    @Test("Erli's hooks are not signed: refused; orders are polled")
    func webhooks() {
        let channel = ErliChannel(configuration: ErliConfiguration(apiKey: "k"), client: sharedClient)
        #expect(channel.verifyWebhook(headers: [:], body: [], now: Date()) == .rejected("erli hooks are not signed; orders are polled"))
        #expect(throws: ChannelError.self) { try channel.parseWebhook(headers: [:], body: []) }
        #expect(ErliChannel.capabilities.pollsOrders && ErliChannel.capabilities.needsListings && ErliChannel.capabilities.matchesBarcodes)
    }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let date = Mutex(Date())

    /// The current time.
    var now: Date { date.withLock { $0 } }

    /// Moves the clock on by `seconds`.
    func advance(_ seconds: TimeInterval) {
        date.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
