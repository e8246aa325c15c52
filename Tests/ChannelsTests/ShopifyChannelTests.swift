import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Testing

@Suite("shopify channel against its simulator")
struct ShopifyChannelTests {
    static let location = "gid://shopify/Location/1"
    static let secret = "shpss_app_secret"

    func channel(
        _ simulator: ShopifySimulator, token: String = "shpat_1", batchSize: Int = 100, pageSize: Int = 50, secrets: [String] = [secret]
    ) -> ShopifyChannel {
        ShopifyChannel(
            configuration: ShopifyConfiguration(
                shopURL: simulator.baseURL, accessToken: token, webhookSecrets: secrets,
                locations: ["wh-main": Self.location], batchSize: batchSize, pageSize: pageSize
            ), client: sharedClient)
    }

    func stocked(_ simulator: ShopifySimulator, _ count: Int) -> [ChannelLevel] {
        (0..<count).map { index in
            let item = simulator.addVariant(sku: "SKU-\(index)")
            return ChannelLevel(sku: "SKU-\(index)", location: "wh-main", value: 10 + index, version: 5, previousValue: 0, externalID: item)
        }
    }

    func graphQLBody(_ request: RecordedRequest) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
    }

    @Test("push: inventorySetQuantities per batch, access token header, @idempotent key, changeFromQuantity")
    func push() async throws {
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: Self.secret)) { simulator in
            var levels = stocked(simulator, 5)
            levels[4].previousValue = nil
            let result = await channel(simulator, batchSize: 2).pushLevels(levels)
            #expect(result.outcomes == Array(repeating: .ok, count: 5))
            #expect(simulator.level(sku: "SKU-3", location: Self.location) == 13)
            #expect(simulator.requests.count == 3)
            let request = try #require(simulator.requests.last)
            #expect(request.path == "/admin/api/\(ShopifyConfiguration.defaultAPIVersion)/graphql.json")
            #expect(request.header("x-shopify-access-token") == "shpat_1")
            let body = graphQLBody(request)
            #expect((body["query"] as? String)?.contains("@idempotent(key: $key)") == true)
            let variables = try #require(body["variables"] as? [String: Any])
            #expect((variables["key"] as? String)?.isEmpty == false)
            let input = try #require(variables["input"] as? [String: Any])
            #expect(input["name"] as? String == "available")
            #expect(input["reason"] as? String == "correction")
            #expect((input["referenceDocumentUri"] as? String)?.hasPrefix("omnistock://") == true)
            let quantity = try #require((input["quantities"] as? [[String: Any]])?.first)
            #expect(quantity["changeFromQuantity"] is NSNull)
        }
    }

    @Test("stale changeFromQuantity is re-read and sent again with its batch; an unknown item is refused alone")
    func stale() async throws {
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: Self.secret)) { simulator in
            let levels = stocked(simulator, 3)
            simulator.setLevel(sku: "SKU-1", location: Self.location, available: 4)
            let result = await channel(simulator).pushLevels(levels)
            #expect(result.outcomes == [.ok, .ok, .ok])
            #expect(result.compareAndSetRetries == 1)
            #expect(simulator.level(sku: "SKU-0", location: Self.location) == 10)
            #expect(simulator.level(sku: "SKU-1", location: Self.location) == 11)
            var next = levels.map { level in
                var level = level
                level.previousValue = level.value
                level.value += 1
                return level
            }
            next[2].externalID = "gid://shopify/InventoryItem/999"
            let outcomes = await channel(simulator).pushLevels(next).outcomes
            #expect(Array(outcomes.prefix(2)) == [.ok, .ok])
            guard case .permanent = outcomes[2] else {
                Issue.record("\(outcomes)")
                return
            }
            #expect(simulator.level(sku: "SKU-0", location: Self.location) == 11)
        }
    }

    @Test("THROTTLED (HTTP 200) waits cost ÷ restore rate; HTTP 429 honours Retry-After; 5xx transient; bad token permanent")
    func throttling() async throws {
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: Self.secret)) { simulator in
            let levels = stocked(simulator, 2)
            simulator.inject(.throttle(seconds: 3))
            #expect(await channel(simulator).pushLevels(levels).outcomes == [.retryAfter(seconds: 3), .retryAfter(seconds: 3)])
            simulator.inject(.fail(status: 429, retryAfter: 2))
            #expect(await channel(simulator).pushLevels(levels).outcomes == [.retryAfter(seconds: 2), .retryAfter(seconds: 2)])
            simulator.inject(.fail(status: 502))
            guard case .transient = await channel(simulator).pushLevels(levels).outcomes[0] else {
                Issue.record("502")
                return
            }
            guard case .permanent = await channel(simulator, token: "nope").pushLevels(levels).outcomes[0] else {
                Issue.record("401")
                return
            }
            await #expect(throws: ChannelError(.retryAfter(seconds: 5), "Shopify THROTTLED")) {
                simulator.inject(.throttle(seconds: 5))
                return try await channel(simulator).fetchLevels(cursor: nil)
            }
        }
    }

    @Test("levels without inventory item or mapped location are refused without a call")
    func unmapped() async throws {
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: Self.secret)) { simulator in
            let levels = [
                ChannelLevel(sku: "A", location: "wh-main", value: 1, version: 1),
                ChannelLevel(sku: "B", location: "nowhere", value: 1, version: 1, externalID: "gid://shopify/InventoryItem/1"),
            ]
            let outcomes = await channel(simulator).pushLevels(levels).outcomes
            guard case .permanent = outcomes[0], case .permanent = outcomes[1] else {
                Issue.record("\(outcomes)")
                return
            }
            #expect(simulator.requests.isEmpty)
        }
    }

    @Test("SKU discovery through productVariants")
    func discovery() async throws {
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: Self.secret)) { simulator in
            let red = simulator.addVariant(sku: "TSHIRT-RED-M")
            let mug = simulator.addVariant(sku: "MUG")
            let found = try await channel(simulator).discoverListings(skus: ["TSHIRT-RED-M", "MUG", "MISSING"])
            #expect(found == ["TSHIRT-RED-M": red, "MUG": mug])
        }
    }

    @Test("fetchLevels pages through inventoryItems with cursors")
    func levelPaging() async throws {
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: Self.secret)) { simulator in
            for index in 0..<5 { simulator.setLevel(sku: "SKU-\(index)", location: Self.location, available: index) }
            let channel = channel(simulator, pageSize: 2)
            let (pages, seen) = try await allLevels(channel)
            #expect(pages == 3)
            #expect(seen.map(\.available) == [0, 1, 2, 3, 4])
            #expect(seen.allSatisfy { $0.location == "wh-main" })
        }
    }

    @Test("fetchOrders pages by updated_at and maps cancelled and fulfilled orders")
    func orderPaging() async throws {
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: Self.secret)) { simulator in
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            let first = simulator.addOrder(lines: [("A", 1), ("B", 2)], at: start)
            let second = simulator.addOrder(lines: [("C", 1)], at: start + 60)
            simulator.addOrder(lines: [("D", 4)], at: start + 120)
            simulator.updateOrder(second.id, cancelled: true, at: start + 180)
            simulator.updateOrder(first.id, fulfilled: true, at: start + 240)
            let channel = channel(simulator, pageSize: 2)
            let page1 = try await channel.fetchOrders(since: nil)
            #expect(page1.hasMore)
            #expect(page1.items.map(\.kind) == [.orderCreated, .orderCreated, .orderCancelled])
            #expect(page1.items.last?.orderRef == second.gid)
            let page2 = try await channel.fetchOrders(since: page1.nextCursor)
            #expect(!page2.hasMore)
            #expect(page2.items.map(\.kind) == [.orderCreated, .orderCancelled, .orderCreated, .orderFulfilled])
            #expect(page2.items.last?.id == "\(first.gid)/fulfilled")
            #expect(page2.items[2].lines == [.init(sku: "A", quantity: 1), .init(sku: "B", quantity: 2)])
        }
    }
}
