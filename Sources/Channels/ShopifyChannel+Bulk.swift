import ChannelVocabulary
import Foundation

extension ShopifyChannel {
    /// Polls of one bulk operation before giving up (at the default 2 s, about half an hour).
    static let bulkPolls = 900

    /// Whether the shop has more inventory items (one per product variant) than ``ShopifyConfiguration/bulkThreshold``.
    func isLargeShop() async throws(ChannelError) -> Bool {
        let data = try await graphQL.run(ShopifyGraphQL.variantsCount, variables: [:], cost: 1)
        return (data["productVariantsCount"]["count"].int ?? 0) > configuration.bulkThreshold
    }

    /// Every level at the mapped locations through a bulk operation, Shopify's way of reading a whole catalogue
    /// (https://shopify.dev/docs/api/usage/bulk-operations/queries): start it, poll `currentBulkOperation` until
    /// `COMPLETED`, download the JSONL from `url` and join the level lines to their items by `__parentId`.
    func bulkLevels() async throws(ChannelError) -> [ChannelLevelSnapshot] {
        let started = try await graphQL.run(
            ShopifyGraphQL.runBulkQuery, variables: ["query": .string(ShopifyGraphQL.bulkLevels)], cost: ShopifyQueryCost.mutation)
        if let error = started["bulkOperationRunQuery"]["userErrors"].array.first {
            // Typically another bulk query of this app is still running: try again later.
            throw ChannelError(.transient, "Shopify bulk operation not started: \(error["message"].string ?? "")")
        }
        let id = started["bulkOperationRunQuery"]["bulkOperation"]["id"].string
        for _ in 0..<Self.bulkPolls {
            do { try await Task.sleep(for: .seconds(configuration.bulkPollInterval)) } catch { throw ChannelError(.transient, "cancelled") }
            let operation = try await graphQL.run(ShopifyGraphQL.currentBulkOperation, variables: [:], cost: 1)["currentBulkOperation"]
            guard operation["id"].string == id else { throw ChannelError(.transient, "Shopify bulk operation \(id ?? "?") was replaced") }
            switch operation["status"].string {
            case "COMPLETED":
                // No `url`: the query matched nothing.
                guard let url = operation["url"].string else { return [] }
                return try snapshots(jsonl: try await graphQL.download(url))
            case "CREATED", "RUNNING":
                continue
            default:
                throw ChannelError(.transient, "Shopify bulk operation \(operation["status"].string ?? "?"): \(operation["errorCode"].string ?? "")")
            }
        }
        throw ChannelError(.transient, "Shopify bulk operation \(id ?? "?") still running after \(Self.bulkPolls) polls")
    }

    private func snapshots(jsonl: [UInt8]) throws(ChannelError) -> [ChannelLevelSnapshot] {
        var skus: [String: String?] = [:]
        var levels: [JSON] = []
        for line in jsonl.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            let object = try JSON.parse(Array(line))
            if object["__parentId"] == .null, let id = object["id"].string {
                skus[id] = object["sku"].string
            } else {
                levels.append(object)
            }
        }
        return levels.compactMap { level in
            guard let item = level["__parentId"].string,
                let location = level["location"]["id"].string.flatMap(configuration.locationCode(forShopifyID:))
            else { return nil }
            let quantities = level["quantities"].array
            let quantity = { (name: String) in quantities.first { $0["name"].string == name }?["quantity"].int }
            return ChannelLevelSnapshot(
                sku: skus[item] ?? nil, location: location, available: quantity("available") ?? 0, onHand: quantity("on_hand"), externalID: item)
        }
    }
}
