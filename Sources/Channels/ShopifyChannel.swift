import Crypto
import CurlHTTP
import Foundation

/// Shopify through the Admin GraphQL API: per-location `available` quantities set with
/// `inventorySetQuantities` (compare-and-set on `changeFromQuantity`, idempotent by key).
public struct ShopifyChannel: Channel {
    /// `shopify`.
    public static let kind = "shopify"
    /// Shopify keeps quantities per location.
    public let modelsLocations = true
    /// The settings.
    public let configuration: ShopifyConfiguration
    private let graphQL: ShopifyGraphQL

    /// Creates the adapter; `client` is shared with the other channels.
    public init(configuration: ShopifyConfiguration, client: CurlHTTPClient) {
        self.configuration = configuration
        self.graphQL = ShopifyGraphQL(configuration: configuration, client: client)
    }

    /// One `inventorySetQuantities` per batch. Levels need ``ChannelLevel/externalID`` (the inventory item id)
    /// and a mapped location. Stale `changeFromQuantity` is a conflict; the rest of a refused batch is retried.
    public func pushLevels(_ levels: [ChannelLevel]) async -> PushResult {
        var outcomes = [PushOutcome?](repeating: nil, count: levels.count)
        var ready: [(index: Int, quantity: JSON)] = []
        for (index, level) in levels.enumerated() {
            guard let item = level.externalID else {
                outcomes[index] = .permanent("no Shopify inventory item for \(level.sku): discover listings first")
                continue
            }
            guard let location = configuration.locations[level.location] else {
                outcomes[index] = .permanent("location \(level.location) is not mapped to a Shopify location")
                continue
            }
            ready.append((index, [
                "inventoryItemId": .string(item), "locationId": .string(location),
                "quantity": .int(level.value), "changeFromQuantity": JSON(level.previousValue),
            ]))
        }
        for batch in ready.chunked(into: configuration.batchSize) {
            let batchOutcomes = await push(batch.map(\.quantity), versions: batch.map { levels[$0.index].version })
            for (entry, outcome) in zip(batch, batchOutcomes) {
                outcomes[entry.index] = outcome
            }
        }
        return PushResult(items: zip(levels, outcomes).map { PushResult.Item(level: $0, outcome: $1 ?? .transient("not sent")) })
    }

    private func push(_ quantities: [JSON], versions: [Int64]) async -> [PushOutcome] {
        let input: JSON = [
            "name": "available", "reason": .string(configuration.reason),
            "referenceDocumentUri": .string("omnistock://levels/v\(versions.max() ?? 0)"),
            "quantities": .array(quantities),
        ]
        let key = SHA256.hash(data: input.encoded()).prefix(16).lowercaseHex
        let data: JSON
        do {
            data = try await graphQL.run(ShopifyGraphQL.setQuantities, variables: ["input": input, "key": .string(key)])
        } catch {
            return Array(repeating: PushOutcome(error), count: quantities.count)
        }
        let userErrors = data["inventorySetQuantities"]["userErrors"].array
        guard !userErrors.isEmpty else { return Array(repeating: .ok, count: quantities.count) }
        // The mutation is all-or-nothing: items without an error of their own were not applied either.
        var outcomes = [PushOutcome](repeating: .transient("not applied: another quantity in the batch was refused"), count: quantities.count)
        for error in userErrors {
            let outcome = Self.outcome(ofUserError: error)
            // `field` is a path such as ["input", "quantities", "3", "changeFromQuantity"].
            if let index = error["field"].array.dropFirst(2).first?.int, outcomes.indices.contains(index) {
                outcomes[index] = outcome
            } else {
                outcomes = Array(repeating: outcome, count: quantities.count)
            }
        }
        return outcomes
    }

    private static func outcome(ofUserError error: JSON) -> PushOutcome {
        switch error["code"].string {
        case "CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE":
            .conflict(current: nil)
        case "IDEMPOTENCY_CONCURRENT_REQUEST":
            .retryAfter(seconds: 1)
        default:
            .permanent("\(error["code"].string ?? "error"): \(error["message"].string ?? "")")
        }
    }

    /// Finds the inventory item id of each SKU in the shop's catalogue (`productVariants` by `sku:`);
    /// SKUs not found are absent from the result. The caller stores the mapping as listings.
    public func discoverListings(skus: [String]) async throws(ChannelError) -> [String: String] {
        var found: [String: String] = [:]
        for batch in skus.chunked(into: 50) {
            let search = batch.map { "sku:\"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"" }.joined(separator: " OR ")
            let data = try await graphQL.run(ShopifyGraphQL.variantsBySKU, variables: ["first": 250, "query": .string(search)])
            for node in data["productVariants"]["nodes"].array {
                if let sku = node["sku"].string, batch.contains(sku), let item = node["inventoryItem"]["id"].string {
                    found[sku] = item
                }
            }
        }
        return found
    }

    /// Inventory items with their levels at mapped locations; the cursor is Shopify's page cursor.
    public func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot> {
        let data = try await graphQL.run(
            ShopifyGraphQL.inventoryLevels, variables: ["first": .int(configuration.pageSize), "after": JSON(cursor)]
        )
        let connection = data["inventoryItems"]
        var snapshots: [ChannelLevelSnapshot] = []
        for item in connection["nodes"].array {
            for level in item["inventoryLevels"]["nodes"].array {
                guard let location = level["location"]["id"].string.flatMap(configuration.locationCode(forShopifyID:)) else { continue }
                let quantities = level["quantities"].array
                let quantity = { (name: String) in quantities.first { $0["name"].string == name }?["quantity"].int }
                snapshots.append(ChannelLevelSnapshot(
                    sku: item["sku"].string, location: location, available: quantity("available") ?? 0,
                    onHand: quantity("on_hand"), externalID: item["id"].string
                ))
            }
        }
        let hasMore = connection["pageInfo"]["hasNextPage"].bool ?? false
        return Page(items: snapshots, nextCursor: hasMore ? connection["pageInfo"]["endCursor"].string : nil, hasMore: hasMore)
    }

    /// Orders updated at or after the cursor (an `updated_at` timestamp), oldest first, as created /
    /// cancelled / fulfilled events keyed by order id; the next cursor is the last order's `updatedAt`.
    public func fetchOrders(since cursor: String?) async throws(ChannelError) -> Page<NormalizedEvent> {
        let data = try await graphQL.run(ShopifyGraphQL.orders, variables: [
            "first": .int(configuration.pageSize),
            "query": JSON(cursor.map { "updated_at:>='\($0)'" }),
        ])
        let nodes = data["orders"]["nodes"].array
        let events = try nodes.map { order throws(ChannelError) -> [NormalizedEvent] in
            let id = try order["id"].requiredString("order id")
            let lines = order["lineItems"]["nodes"].array.map { NormalizedEvent.Line(sku: $0["sku"].string, quantity: $0["quantity"].int ?? 0) }
            var events = [NormalizedEvent(
                id: "\(id)/created", kind: .orderCreated, orderRef: id, lines: lines,
                occurredAt: Timestamps.parse(order["createdAt"].string)
            )]
            if let cancelled = order["cancelledAt"].string {
                events.append(NormalizedEvent(id: "\(id)/cancelled", kind: .orderCancelled, orderRef: id, occurredAt: Timestamps.parse(cancelled)))
            }
            if order["displayFulfillmentStatus"].string == "FULFILLED" {
                events.append(NormalizedEvent(id: "\(id)/fulfilled", kind: .orderFulfilled, orderRef: id))
            }
            return events
        }.flatMap { $0 }
        let next = nodes.last?["updatedAt"].string ?? cursor
        return Page(items: events, nextCursor: next, hasMore: data["orders"]["pageInfo"]["hasNextPage"].bool ?? false)
    }
}
