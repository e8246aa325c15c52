import Foundation
import Synchronization

extension ShopifySimulator {
    /// Answers the operations Omnistock sends, recognised by their root field.
    func resolve(query: String, variables: [String: Any], stale: Bool) -> [String: Any] {
        if query.contains("inventorySetQuantities") { return setQuantities(query: query, variables: variables, stale: stale) }
        if query.contains("productVariants") { return ["data": ["productVariants": ["nodes": variants(matching: variables["query"] as? String ?? "")]]] }
        if query.contains("inventoryItems") { return inventoryItems(first: variables["first"] as? Int ?? 50, after: variables["after"] as? String) }
        if query.contains("orders") { return orders(first: variables["first"] as? Int ?? 50, search: variables["query"] as? String) }
        return ["errors": [["message": "Field is not supported by the simulator"]]]
    }

    private func setQuantities(query: String, variables: [String: Any], stale forceStale: Bool) -> [String: Any] {
        guard query.contains("@idempotent(key:"), let key = variables["key"] as? String, !key.isEmpty else {
            return ["errors": [["message": "The @idempotent directive with a key is required for this mutation."]]]
        }
        let input = variables["input"] as? [String: Any] ?? [:]
        let quantities = input["quantities"] as? [[String: Any]] ?? []
        // Results are kept serialized: the state behind the lock holds only Sendable values.
        let stored = state.withLock { state -> [UInt8] in
            if let earlier = state.idempotentResults[key] { return earlier }
            var errors: [[String: Any]] = []
            func fail(_ index: Int?, _ field: String, _ code: String, _ message: String) {
                let path: [String] = index.map { ["input", "quantities", String($0), field] } ?? ["input", field]
                errors.append(["field": path, "code": code, "message": message])
            }
            if input["name"] as? String != "available" { fail(nil, "name", "INVALID_NAME", "The quantity name must be 'available' or 'on_hand'.") }
            if (input["reason"] as? String ?? "").isEmpty { fail(nil, "reason", "INVALID_REASON", "The reason is invalid.") }
            var updates: [(String, Int)] = []
            for (index, quantity) in quantities.enumerated() {
                let item = quantity["inventoryItemId"] as? String ?? ""
                let location = quantity["locationId"] as? String ?? ""
                let key = "\(item)|\(location)"
                guard state.variants.values.contains(where: { "gid://shopify/InventoryItem/\($0)" == item }) else {
                    fail(index, "inventoryItemId", "INVALID_INVENTORY_ITEM", "The specified inventory item could not be found."); continue
                }
                guard locations.contains(location) else {
                    fail(index, "locationId", "INVALID_LOCATION", "The specified location could not be found."); continue
                }
                guard let changeFrom = quantity["changeFromQuantity"] else {
                    fail(index, "changeFromQuantity", "COMPARE_QUANTITY_REQUIRED", "changeFromQuantity must be given, or null to opt out."); continue
                }
                let current = state.levels[key] ?? 0
                if (forceStale && index == 0) || (changeFrom as? Int).map({ $0 != current }) == true {
                    fail(index, "changeFromQuantity", "CHANGE_FROM_QUANTITY_STALE", "The changeFromQuantity value does not match persisted value."); continue
                }
                updates.append((key, quantity["quantity"] as? Int ?? 0))
            }
            if errors.isEmpty {
                for (key, value) in updates { state.levels[key] = value }
            }
            let result: [String: Any] = ["data": ["inventorySetQuantities": [
                "userErrors": errors,
                "inventoryAdjustmentGroup": errors.isEmpty
                    ? ["reason": input["reason"] ?? "", "referenceDocumentUri": input["referenceDocumentUri"] ?? NSNull()] as Any : NSNull(),
            ]]]
            let encoded = Array((try? JSONSerialization.data(withJSONObject: result)) ?? Data())
            state.idempotentResults[key] = encoded
            return encoded
        }
        return SimulatorCore.parse(stored) as? [String: Any] ?? [:]
    }

    private func variants(matching search: String) -> [[String: Any]] {
        let wanted = Set(search.components(separatedBy: " OR ").map {
            $0.replacingOccurrences(of: "sku:", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        })
        return state.withLock { $0.variants }.filter { wanted.contains($0.key) }.sorted { $0.value < $1.value }.map { sku, id in
            ["sku": sku, "inventoryItem": ["id": "gid://shopify/InventoryItem/\(id)"]]
        }
    }

    private func inventoryItems(first: Int, after: String?) -> [String: Any] {
        let (variants, levels) = state.withLock { ($0.variants, $0.levels) }
        let items = variants.sorted { $0.value < $1.value }
        let start = after.flatMap { Int($0.dropFirst("cursor-".count)) } ?? 0
        let page = items.dropFirst(start).prefix(first)
        let nodes = page.map { sku, id -> [String: Any] in
            let gid = "gid://shopify/InventoryItem/\(id)"
            let stocked = locations.compactMap { location -> [String: Any]? in
                guard let available = levels["\(gid)|\(location)"] else { return nil }
                return ["location": ["id": location], "quantities": [["name": "available", "quantity": available], ["name": "on_hand", "quantity": available]]]
            }
            return ["id": gid, "sku": sku, "inventoryLevels": ["nodes": stocked]]
        }
        let end = start + page.count
        return ["data": ["inventoryItems": [
            "nodes": nodes,
            "pageInfo": ["hasNextPage": end < items.count, "endCursor": "cursor-\(end)"],
        ]]]
    }

    private func orders(first: Int, search: String?) -> [String: Any] {
        let format = ISO8601DateFormatter()
        // Understands the one filter Omnistock sends: updated_at:>='<timestamp>'.
        let since = search.flatMap { $0.split(separator: "'").dropFirst().first }.flatMap { format.date(from: String($0)) }
        let matching = orders.filter { since == nil || $0.updatedAt >= since! }.sorted { $0.updatedAt < $1.updatedAt }
        let nodes = matching.prefix(first).map { order -> [String: Any] in
            [
                "id": order.gid, "name": "#\(order.id)", "createdAt": format.string(from: order.createdAt),
                "updatedAt": format.string(from: order.updatedAt),
                "cancelledAt": order.cancelledAt.map { format.string(from: $0) as Any } ?? NSNull(),
                "displayFulfillmentStatus": order.fulfilled ? "FULFILLED" : "UNFULFILLED",
                "lineItems": ["nodes": order.lines.map { ["sku": $0.sku, "quantity": $0.quantity] }],
            ]
        }
        return ["data": ["orders": ["nodes": nodes, "pageInfo": ["hasNextPage": matching.count > first]]]]
    }
}
