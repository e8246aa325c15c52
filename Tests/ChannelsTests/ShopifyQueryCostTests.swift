import ChannelSimulators
import ChannelVocabulary
import Foundation
import Testing

@testable import Channels

/// Issue 12, item 2: Shopify refuses a query that requests more than 1,000 points and throttles by a
/// leaky bucket; every query the adapter sends must fit, and reads must wait for the bucket.
@Suite("shopify query cost and throttling")
struct ShopifyQueryCostTests {
    static let locations = ["gid://shopify/Location/1", "gid://shopify/Location/2"]

    func channel(_ simulator: ShopifySimulator) -> ShopifyChannel {
        ShopifyChannel(
            configuration: ShopifyConfiguration(
                shopURL: simulator.baseURL, accessToken: "shpat_1",
                locations: ["wh-main": Self.locations[0], "wh-south": Self.locations[1]]
            ), client: sharedClient)
    }

    /// The requested cost of each request the simulator received, by the simulator's cost rules.
    func requestedCosts(_ simulator: ShopifySimulator) -> [Int] {
        simulator.requests.map { request in
            let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
            return ShopifyCostModel.requestedCost(query: body["query"] as? String ?? "", variables: body["variables"] as? [String: Any] ?? [:])
                ?? .max
        }
    }

    @Test("the simulator costs queries by Shopify's rules: nested connections multiply")
    func costRules() {
        let levels = """
            query($first: Int!) { inventoryItems(first: $first) { pageInfo { hasNextPage endCursor } nodes { id sku
              inventoryLevels(first: 50) { nodes { location { id } quantities(names: ["available"]) { name quantity } } } } } }
            """
        #expect(ShopifyCostModel.requestedCost(query: levels, variables: ["first": 50]) == 2 + 50 * (1 + 2 + 50 * 3))
        let orders = "{ orders(first: 50) { nodes { id name lineItems(first: 100) { nodes { sku quantity } } } } }"
        #expect(ShopifyCostModel.requestedCost(query: orders, variables: [:]) == 2 + 50 * (1 + 2 + 100))
        #expect(ShopifyCostModel.requestedCost(query: "mutation { inventorySetQuantities(input: {}) { userErrors { code } } }", variables: [:]) == 10)
        #expect(ShopifyCostModel.requestedCost(query: "{ shop { id name } }", variables: [:]) == 1)
    }

    @Test("reconcile reads on a real-sized shop: every query asks at most 1,000 points, long orders are read whole")
    func withinCeiling() async throws {
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: "s", locations: Self.locations)) { simulator in
            for index in 0..<300 {
                for location in Self.locations { simulator.setLevel(sku: "SKU-\(index)", location: location, available: index % 9) }
            }
            let long = simulator.addOrder(lines: (0..<120).map { ("SKU-\($0)", 1) })
            simulator.addOrder(lines: [("SKU-1", 2)])
            let channel = channel(simulator)
            let (_, levels) = try await allLevels(channel)
            #expect(levels.count == 600)
            #expect(levels.first { $0.sku == "SKU-13" && $0.location == "wh-south" }?.available == 4)
            let orders = try await channel.fetchOrders(since: nil)
            #expect(orders.items.first { $0.orderRef == long.gid }?.lines.count == 120)
            let found = try await channel.discoverListings(skus: (0..<300).map { "SKU-\($0)" })
            #expect(found.count == 300)
            let costs = requestedCosts(simulator)
            #expect(costs.allSatisfy { $0 <= 1000 }, "requested costs: \(costs)")
        }
    }

    @Test("paging waits for the cost bucket instead of being throttled")
    func waitsForBucket() async throws {
        let plan = ShopifySimulator.Plan(restoreRate: 500, bucketSize: 1000)
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: "s", locations: Self.locations, plan: plan)) { simulator in
            for index in 0..<600 { simulator.setLevel(sku: "SKU-\(index)", location: Self.locations[0], available: 1) }
            let started = ContinuousClock.now
            let (pages, levels) = try await allLevels(channel(simulator))
            #expect(levels.count == 600)
            #expect(pages >= 3)
            #expect(simulator.throttledAnswers == 0)
            // Three pages of 753 points from a 1,000-point bucket refilled at 500/s cannot all go at once.
            #expect(ContinuousClock.now - started > .milliseconds(900))
        }
    }
}

@Suite("shopify cost bucket estimate")
struct ShopifyBucketEstimateTests {
    @Test("a query waits for the points it lacks at the restore rate, and later queries queue behind it")
    func reserve() throws {
        let status: JSON = ["maximumAvailable": 1000, "currentlyAvailable": 300, "restoreRate": 100]
        var bucket = try #require(ShopifyBucketEstimate(status, now: 10))
        #expect(bucket.reserve(200, now: 10) == 0)
        #expect(bucket.reserve(753, now: 10) == 6.53)
        #expect(abs(bucket.reserve(10, now: 12) - 4.63) < 1e-9)
        #expect(bucket.reserve(10, now: 100) == 0)
        #expect(bucket.available == 990)
        #expect(ShopifyBucketEstimate(["currentlyAvailable": 5], now: 0) == nil)
    }

    @Test("page sizes come from the cost rules and stay within 1,000 points")
    func pageSizes() {
        let levels = ShopifyQueryCost.largestPage(upTo: 1000, cost: ShopifyQueryCost.locationLevels)
        #expect(levels == 250)
        let orders = ShopifyQueryCost.largestPage(upTo: 250) { ShopifyQueryCost.orders(first: $0, lineItems: 50) }
        #expect(orders == 18)
        #expect(ShopifyQueryCost.orders(first: orders, lineItems: 50) <= 1000)
        #expect(ShopifyQueryCost.orders(first: orders + 1, lineItems: 50) > 1000)
    }
}

@Suite("shopify bulk operations for large shops")
struct ShopifyBulkTests {
    @Test("a shop above the threshold is read through bulkOperationRunQuery, polled, and downloaded without the token")
    func bulkRead() async throws {
        let locations = ShopifyQueryCostTests.locations
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: "s", locations: locations)) { simulator in
            for index in 0..<150 {
                for location in locations { simulator.setLevel(sku: "SKU-\(index)", location: location, available: index % 7) }
            }
            simulator.addVariant(sku: "NOT-STOCKED")
            let channel = ShopifyChannel(
                configuration: ShopifyConfiguration(
                    shopURL: simulator.baseURL, accessToken: "shpat_1", locations: ["wh-main": locations[0], "wh-south": locations[1]],
                    bulkThreshold: 100, bulkPollInterval: 0.05
                ), client: sharedClient)
            let page = try await channel.fetchLevels(cursor: nil)
            #expect(!page.hasMore)
            #expect(page.items.count == 300)
            #expect(page.items.first { $0.sku == "SKU-20" && $0.location == "wh-south" }?.available == 6)
            #expect(page.items.allSatisfy { $0.externalID?.hasPrefix("gid://shopify/InventoryItem/") == true })
            let queries = simulator.requests.map { String(decoding: $0.body, as: UTF8.self) }
            #expect(queries.contains { $0.contains("bulkOperationRunQuery") })
            #expect(queries.filter { $0.contains("currentBulkOperation") }.count >= 2)
            let download = try #require(simulator.requests.first { $0.path.hasPrefix("/bulk-results/") })
            #expect(download.header("X-Shopify-Access-Token") == nil)
            // A small shop stays on paged reads.
            simulator.clearRequests()
            let small = ShopifyChannel(
                configuration: ShopifyConfiguration(
                    shopURL: simulator.baseURL, accessToken: "shpat_1", locations: ["wh-main": locations[0]]), client: sharedClient)
            #expect(try await allLevels(small).items.count == 150)
            #expect(!simulator.requests.contains { String(decoding: $0.body, as: UTF8.self).contains("bulkOperationRunQuery") })
        }
    }
}
