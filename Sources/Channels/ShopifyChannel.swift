import ChannelVocabulary
import CurlHTTP
import Foundation

/// Shopify through the Admin GraphQL API: per-location `available` quantities set with
/// `inventorySetQuantities` (compare-and-set on `changeFromQuantity`, idempotent by key).
package struct ShopifyChannel: Channel {
    /// `shopify`.
    package static let kind = "shopify"
    /// Quantities per location; listings are inventory items, found by SKU or by the variant's barcode
    /// (`ProductVariant.barcode`, https://shopify.dev/docs/api/admin-graphql/latest/objects/ProductVariant).
    package static let capabilities = ChannelCapabilities(needsListings: true, matchesBarcodes: true, modelsLocations: true)
    /// The settings.
    package let configuration: ShopifyConfiguration
    let graphQL: ShopifyGraphQL

    /// Line items read with each order; longer orders are completed with `order(id:) { lineItems }`.
    static let lineItemsPerOrder = 50

    /// Creates the adapter; `client` is shared with the other channels.
    package init(configuration: ShopifyConfiguration, client: CurlHTTPClient) {
        self.configuration = configuration
        self.graphQL = ShopifyGraphQL(configuration: configuration, client: client)
    }

    /// Finds the variants carrying each key (`productVariants` searched by `sku:` or `barcode:`, 50 keys a query),
    /// as inventory item ids with their SKU and barcode; every variant found, duplicates included.
    /// https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariants (query filters `sku`, `barcode`)
    package func catalogueItems(matching keys: Set<String>, by match: ListingMatch) async throws(ChannelError) -> [ChannelItem] {
        var found: [ChannelItem] = []
        var seen: Set<String> = []
        for batch in keys.sorted().chunked(into: 50) {
            let search = batch.map { "\(match.rawValue):\"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"" }.joined(separator: " OR ")
            let data = try await graphQL.run(
                ShopifyGraphQL.variantsBySKU, variables: ["first": 250, "query": .string(search)], cost: ShopifyQueryCost.variants(first: 250))
            for node in data["productVariants"]["nodes"].array {
                guard let id = node["inventoryItem"]["id"].string, seen.insert(id).inserted else { continue }
                let item = ChannelItem(externalID: id, sku: node["sku"].string, barcode: node["barcode"].string)
                if let key = match.key(of: item), batch.contains(key) { found.append(item) }
            }
        }
        return found
    }

    /// The levels at each mapped location in turn (`location(id:) { inventoryLevels }`, pages as large as the
    /// 1,000-point ceiling allows). The cursor is `<location index>|<Shopify page cursor>`. A shop with more
    /// than ``ShopifyConfiguration/bulkThreshold`` items is read whole through a bulk operation, in one page.
    package func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot> {
        if cursor == nil, try await isLargeShop() {
            return Page(items: try await bulkLevels(), nextCursor: nil, hasMore: false)
        }
        let mapped = configuration.locations.sorted { $0.key < $1.key }
        let parts = cursor?.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false) ?? []
        let index = parts.first.flatMap { Int($0) } ?? 0
        let after = parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : nil
        guard mapped.indices.contains(index) else { return Page(items: [], nextCursor: nil, hasMore: false) }
        let (code, shopifyID) = mapped[index]
        let first = ShopifyQueryCost.largestPage(upTo: configuration.pageSize, cost: ShopifyQueryCost.locationLevels)
        let data = try await graphQL.run(
            ShopifyGraphQL.locationLevels, variables: ["location": .string(shopifyID), "first": .int(first), "after": JSON(after)],
            cost: ShopifyQueryCost.locationLevels(first: first))
        guard data["location"] != .null else { throw ChannelError(.permanent, "Shopify has no location \(shopifyID) (mapped from \(code))") }
        let connection = data["location"]["inventoryLevels"]
        let snapshots = connection["nodes"].array.map { level in
            let quantities = level["quantities"].array
            let quantity = { (name: String) in quantities.first { $0["name"].string == name }?["quantity"].int }
            return ChannelLevelSnapshot(
                sku: level["item"]["sku"].string, location: code, available: quantity("available") ?? 0,
                onHand: quantity("on_hand"), externalID: level["item"]["id"].string)
        }
        let next: String? =
            if connection["pageInfo"]["hasNextPage"].bool == true, let end = connection["pageInfo"]["endCursor"].string {
                "\(index)|\(end)"
            } else {
                index + 1 < mapped.count ? "\(index + 1)|" : nil
            }
        return Page(items: snapshots, nextCursor: next, hasMore: next != nil)
    }

    /// Orders updated at or after the cursor (an `updated_at` timestamp), oldest first, as created /
    /// cancelled / fulfilled events keyed by order id; the next cursor is the last order's `updatedAt`.
    /// Page sizes keep the query within the cost ceiling; an order with more lines than one page holds is
    /// completed with further `order(id:)` reads, never cut short.
    package func fetchOrders(since cursor: String?) async throws(ChannelError) -> Page<NormalizedEvent> {
        let lineItems = Self.lineItemsPerOrder
        let first = ShopifyQueryCost.largestPage(upTo: configuration.pageSize) { ShopifyQueryCost.orders(first: $0, lineItems: lineItems) }
        let data = try await graphQL.run(
            ShopifyGraphQL.orders,
            variables: [
                "first": .int(first), "lineItems": .int(lineItems),
                "query": JSON(cursor.map { "updated_at:>='\($0)'" }),
            ], cost: ShopifyQueryCost.orders(first: first, lineItems: lineItems))
        let nodes = data["orders"]["nodes"].array
        var events: [NormalizedEvent] = []
        for order in nodes {
            let id = try order["id"].requiredString("order id")
            let lines = try await allLines(order: id, firstPage: order["lineItems"])
            var created = NormalizedEvent(id: "\(id)/created", kind: .orderCreated, orderRef: id, lines: lines)
            created.occurredAt = Timestamps.parse(order["createdAt"].string)
            events.append(created)
            if let cancelled = order["cancelledAt"].string {
                events.append(NormalizedEvent(id: "\(id)/cancelled", kind: .orderCancelled, orderRef: id, occurredAt: Timestamps.parse(cancelled)))
            }
            if order["displayFulfillmentStatus"].string == "FULFILLED" {
                events.append(NormalizedEvent(id: "\(id)/fulfilled", kind: .orderFulfilled, orderRef: id))
            }
        }
        let next = nodes.last?["updatedAt"].string ?? cursor
        return Page(items: events, nextCursor: next, hasMore: data["orders"]["pageInfo"]["hasNextPage"].bool ?? false)
    }

    /// The lines of `order`: `firstPage`, then the following pages of its `lineItems` connection.
    private func allLines(order: String, firstPage: JSON) async throws(ChannelError) -> [NormalizedEvent.Line] {
        var page = firstPage
        var lines: [NormalizedEvent.Line] = []
        while true {
            lines += page["nodes"].array.map { NormalizedEvent.Line(sku: $0["sku"].string, quantity: $0["quantity"].int ?? 0) }
            guard page["pageInfo"]["hasNextPage"].bool == true, !page["nodes"].array.isEmpty, let after = page["pageInfo"]["endCursor"].string
            else { return lines }
            let first = ShopifyQueryCost.largestPage(upTo: ShopifyQueryCost.maximumPageSize, cost: ShopifyQueryCost.orderLineItems)
            let data = try await graphQL.run(
                ShopifyGraphQL.orderLineItems, variables: ["order": .string(order), "first": .int(first), "after": .string(after)],
                cost: ShopifyQueryCost.orderLineItems(first: first))
            page = data["order"]["lineItems"]
        }
    }
}
