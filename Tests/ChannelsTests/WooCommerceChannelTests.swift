import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Testing

@Suite("woocommerce channel against its simulator")
struct WooCommerceChannelTests {
    static let secret = "wc-webhook-secret"

    static func simulator() -> WooCommerceSimulator {
        WooCommerceSimulator(consumerKey: "ck_1", consumerSecret: "cs_1", webhookSecret: secret)
    }

    func channel(
        _ simulator: WooCommerceSimulator, secret: String = "cs_1", batchSize: Int = 100, pageSize: Int = 100, webhookSecrets: [String] = [secret],
        unmanaged: UntrackedStockPolicy = .enable, orderOverlap: TimeInterval = 300
    ) -> WooCommerceChannel {
        WooCommerceChannel(
            configuration: WooCommerceConfiguration(
                siteURL: simulator.baseURL, consumerKey: "ck_1", consumerSecret: secret, webhookSecrets: webhookSecrets,
                batchSize: batchSize, pageSize: pageSize, unmanaged: unmanaged, orderOverlap: orderOverlap
            ), client: sharedClient)
    }

    func level(_ sku: String, _ value: Int, _ external: String?) -> ChannelLevel {
        ChannelLevel(sku: sku, location: ChannelLevel.pooled, value: value, version: 1, externalID: external)
    }

    @Test("push: products and variations through their batch endpoints with Basic auth")
    func push() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            let mug = simulator.addProduct(sku: "MUG", stock: 1)
            let cap = simulator.addProduct(sku: "CAP", stock: 1)
            let shirt = simulator.addVariableProduct(sku: "TSHIRT", variations: [("TSHIRT-S", 0), ("TSHIRT-M", 0)])
            let result = await channel(simulator).pushLevels([
                level("MUG", 5, "\(mug)"), level("TSHIRT-S", 3, "\(shirt.parent)/\(shirt.variations[0])"),
                level("CAP", 0, "\(cap)"), level("TSHIRT-M", 9, "\(shirt.parent)/\(shirt.variations[1])"),
            ])
            #expect(result.outcomes == [.ok, .ok, .ok, .ok])
            #expect([mug, cap, shirt.variations[0], shirt.variations[1]].map(simulator.stock(of:)) == [5, 0, 3, 9])
            #expect(
                Set(simulator.requests.map(\.path)) == ["/wp-json/wc/v3/products/batch", "/wp-json/wc/v3/products/\(shirt.parent)/variations/batch"])
            #expect(simulator.requests.allSatisfy { $0.header("authorization") == "Basic " + Data("ck_1:cs_1".utf8).base64EncodedString() })
            #expect(simulator.requests.first?.bodyText.contains(#""manage_stock":true"#) == true)
        }
    }

    @Test("batches hold at most 100 items")
    func batchSplitting() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            let levels = (0..<250).map { index in level("SKU-\(index)", index, "\(simulator.addProduct(sku: "SKU-\(index)", stock: 0))") }
            let result = await channel(simulator, batchSize: 500).pushLevels(levels)
            #expect(result.outcomes == Array(repeating: .ok, count: 250))
            #expect(simulator.requests.count == 3)
            #expect(simulator.stock(of: Int(levels[249].externalID!)!) == 249)
        }
    }

    @Test("errors in the batch answer apply to their item only; unmapped levels are refused")
    func itemErrors() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            let mug = simulator.addProduct(sku: "MUG", stock: 1)
            let outcomes = await channel(simulator).pushLevels([
                level("MUG", 4, "\(mug)"), level("GONE", 4, "999999"), level("NOID", 1, nil),
                ChannelLevel(sku: "MUG", location: "store-krakow", value: 1, version: 1, externalID: "\(mug)"),
            ]).outcomes
            #expect(outcomes[0] == .ok)
            #expect(outcomes[1] == .permanent("woocommerce_rest_product_invalid_id: Invalid ID."))
            guard case .permanent = outcomes[2], case .permanent = outcomes[3] else {
                Issue.record("\(outcomes)")
                return
            }
        }
    }

    @Test("429 Retry-After, 5xx transient, bad credentials permanent")
    func classification() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            let levels = [level("MUG", 4, "\(simulator.addProduct(sku: "MUG", stock: 1))")]
            simulator.inject(.fail(status: 429, retryAfter: 11))
            #expect(await channel(simulator).pushLevels(levels).outcomes == [.retryAfter(seconds: 11)])
            simulator.inject(.fail(status: 500))
            guard case .transient = await channel(simulator).pushLevels(levels).outcomes[0] else {
                Issue.record("500")
                return
            }
            guard case .permanent(let message) = await channel(simulator, secret: "wrong").pushLevels(levels).outcomes[0] else {
                Issue.record("401")
                return
            }
            #expect(message.hasPrefix("HTTP 401"))
        }
    }

    @Test("fetchLevels pages with X-WP-TotalPages and includes variations")
    func levelPaging() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addProduct(sku: "A", stock: 1)
            simulator.addProduct(sku: "B", stock: 2)
            let shirt = simulator.addVariableProduct(sku: "TSHIRT", variations: [("TSHIRT-S", 3), ("TSHIRT-M", 4)])
            simulator.addProduct(sku: "C", stock: 5)
            let channel = channel(simulator, pageSize: 2)
            let first = try await channel.fetchLevels(cursor: nil)
            #expect(first.hasMore && first.nextCursor == "2")
            let second = try await channel.fetchLevels(cursor: first.nextCursor)
            #expect(!second.hasMore && second.nextCursor == nil)
            let all = first.items + second.items
            #expect(all.map(\.sku) == ["A", "B", "TSHIRT-S", "TSHIRT-M", "C"])
            #expect(all.map(\.available) == [1, 2, 3, 4, 5])
            #expect(all[2].externalID == "\(shirt.parent)/\(shirt.variations[0])")
            let listings = try await channel.discoverListings(skus: ["TSHIRT-M", "C", "NOPE"])
            #expect(listings == ["TSHIRT-M": "\(shirt.parent)/\(shirt.variations[1])", "C": all[4].externalID!])
        }
    }

    @Test("fetchOrders pages by modified_after (GMT) and resumes from the stored cursor")
    func orderPaging() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            simulator.addProduct(sku: "MUG", stock: 9)
            let first = simulator.addOrder(lines: [("MUG", 1)], at: start)
            simulator.addOrder(lines: [("MUG", 2)], status: "completed", at: start + 10)
            simulator.addOrder(lines: [("MUG", 3)], at: start + 20)
            // Without an overlap, to see the cursor alone (the overlap is `ordersWestOfUTC`'s).
            let channel = channel(simulator, pageSize: 2, orderOverlap: 0)
            let page1 = try await channel.fetchOrders(since: nil)
            #expect(page1.hasMore)
            let page2 = try await channel.fetchOrders(since: page1.nextCursor)
            #expect(!page2.hasMore)
            #expect((page1.items + page2.items).map(\.kind) == [.orderCreated, .orderCreated, .orderFulfilled, .orderCreated])
            #expect(simulator.requests.allSatisfy { $0.query?.contains("dates_are_gmt=true") == true })
            let resume = page2.nextCursor
            #expect(try await channel.fetchOrders(since: resume).items.isEmpty)
            simulator.updateOrder(first.id, status: "cancelled", at: start + 30)
            let later = try await channel.fetchOrders(since: resume)
            #expect(
                later.items == [
                    NormalizedEvent(
                        id: "woocommerce-order-\(first.id)/orderCancelled", kind: .orderCancelled, orderRef: "\(first.id)",
                        fulfillment: .ship, occurredAt: start
                    )
                ])
        }
    }

    @Test("fetchOrders on a site west of UTC reads orders modified after the cursor, and one modified in the cursor's second")
    func ordersWestOfUTC() async throws {
        let simulator = WooCommerceSimulator(
            consumerKey: "ck_1", consumerSecret: "cs_1", webhookSecret: Self.secret, siteTimeZone: TimeZone(secondsFromGMT: -5 * 3600)!)
        try await withSimulator(simulator) { simulator in
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            simulator.addProduct(sku: "MUG", stock: 9)
            simulator.addOrder(lines: [("MUG", 1)], at: start)
            let channel = channel(simulator)
            let cursor = try await channel.fetchOrders(since: nil).nextCursor
            let lost = simulator.addOrder(lines: [("MUG", 2)], at: start + 3600)
            let later = try await channel.fetchOrders(since: cursor)
            #expect(later.items.compactMap(\.orderRef).contains(String(lost.id)), "an hour later is after the cursor whatever the site's zone")
            let boundary = simulator.addOrder(lines: [("MUG", 1)], at: start + 3600.4)
            let again = try await channel.fetchOrders(since: later.nextCursor)
            #expect(again.items.compactMap(\.orderRef).contains(String(boundary.id)), "modified in the cursor's own second: read, not skipped")
        }
    }
}
