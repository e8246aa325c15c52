import Foundation
import Synchronization

extension ShopifySimulator {
    /// The largest page a connection serves (https://shopify.dev/docs/api/usage/pagination-graphql).
    static let maximumPageSize = 250

    /// Answers the root fields the simulator knows; an unknown field is an error, as at Shopify.
    func resolve(_ operation: GraphQLOperation, stale: Bool) -> [String: Any] {
        var data: [String: Any] = [:]
        for field in operation.fields {
            if let first = Self.pageSizes(field).first(where: { $0 > Self.maximumPageSize }) {
                return ["errors": [["message": "The first argument may not exceed \(Self.maximumPageSize) (got \(first))."]]]
            }
            let value: Any
            switch (operation.isMutation, field.name) {
            case (true, "inventorySetQuantities"):
                guard let key = field.directives["idempotent"]?["key"] as? String, !key.isEmpty else {
                    return ["errors": [["message": "The @idempotent directive with a key is required for this mutation."]]]
                }
                value = setQuantities(input: field.arguments["input"] as? [String: Any] ?? [:], key: key, stale: stale)
            case (true, "bulkOperationRunQuery"): value = runBulkQuery(field.arguments["query"] as? String ?? "")
            case (false, "currentBulkOperation"): value = currentBulkOperation()
            case (false, "productVariantsCount"): value = ["count": state.withLock { $0.variants.count }, "precision": "EXACT"]
            case (false, "productVariants"): value = ["nodes": variants(matching: field.arguments["query"] as? String ?? "")]
            case (false, "inventoryItems"): value = inventoryItems(field)
            case (false, "location"): value = locationLevels(field)
            case (false, "inventoryItem"): value = itemLevel(field)
            case (false, "orders"): value = orders(field)
            case (false, "order"): value = orderLineItems(field)
            default:
                return ["errors": [["message": "Field '\(field.name)' doesn't exist on type '\(operation.isMutation ? "Mutation" : "QueryRoot")'"]]]
            }
            data[field.responseKey] = value
        }
        return ["data": data]
    }

    private static func pageSizes(_ field: GraphQLOperation.Field) -> [Int] {
        [field.arguments["first"], field.arguments["last"]].compactMap { $0 as? Int } + field.selections.flatMap(pageSizes)
    }

    /// `inventorySetQuantities`, idempotent by key: a repeat with the same input replays a success; a
    /// repeat of a failed attempt or with other input is refused with the documented codes.
    private func setQuantities(input: [String: Any], key: String, stale forceStale: Bool) -> [String: Any] {
        let inputBytes = Array((try? JSONSerialization.data(withJSONObject: input, options: [.sortedKeys])) ?? Data())
        // Results are kept serialized: the state behind the lock holds only Sendable values.
        let stored = state.withLock { state -> [UInt8] in
            if let earlier = state.attempts[key] {
                if earlier.input != inputBytes {
                    return Self.payload(
                        errors: [
                            Self.userError(
                                nil, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                                "The same idempotency key cannot be used with different operation parameters.")
                        ], input: input)
                }
                return earlier.result
                    ?? Self.payload(
                        errors: [
                            Self.userError(
                                nil, "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED",
                                "A previous request with this idempotency key failed. Retry with a new idempotency key.")
                        ], input: input)
            }
            let errors = apply(input, to: &state, forceStale: forceStale)
            let result = Self.payload(errors: errors, input: input)
            state.attempts[key] = IdempotentAttempt(input: inputBytes, result: errors.isEmpty ? result : nil)
            return result
        }
        return SimulatorCore.parse(stored) as? [String: Any] ?? [:]
    }

    /// Checks every quantity and applies all of them, or none when any is refused.
    private func apply(_ input: [String: Any], to state: inout State, forceStale: Bool) -> [[String: Any]] {
        var errors: [[String: Any]] = []
        if input["name"] as? String != "available" {
            errors.append(Self.userError(["input", "name"], "INVALID_NAME", "The quantity name must be 'available' or 'on_hand'."))
        }
        if (input["reason"] as? String ?? "").isEmpty {
            errors.append(Self.userError(["input", "reason"], "INVALID_REASON", "The reason is invalid."))
        }
        var updates: [(String, Int)] = []
        for (index, quantity) in (input["quantities"] as? [[String: Any]] ?? []).enumerated() {
            let path = { (field: String) in ["input", "quantities", String(index), field] }
            let item = quantity["inventoryItemId"] as? String ?? ""
            let location = quantity["locationId"] as? String ?? ""
            guard state.items.contains(item) else {
                errors.append(Self.userError(path("inventoryItemId"), "INVALID_INVENTORY_ITEM", "The specified inventory item could not be found."))
                continue
            }
            guard locations.contains(location) else {
                errors.append(Self.userError(path("locationId"), "INVALID_LOCATION", "The specified location could not be found."))
                continue
            }
            guard let changeFrom = quantity["changeFromQuantity"] else {
                errors.append(
                    Self.userError(path("changeFromQuantity"), "COMPARE_QUANTITY_REQUIRED", "changeFromQuantity must be given, or null to opt out."))
                continue
            }
            let key = "\(item)|\(location)"
            if (forceStale && index == 0) || (changeFrom as? Int).map({ $0 != state.levels[key] ?? 0 }) == true {
                errors.append(
                    Self.userError(
                        path("changeFromQuantity"), "CHANGE_FROM_QUANTITY_STALE", "The changeFromQuantity value does not match persisted value."))
                continue
            }
            updates.append((key, quantity["quantity"] as? Int ?? 0))
        }
        if errors.isEmpty {
            for (key, value) in updates { state.levels[key] = value }
        }
        return errors
    }

    private static func userError(_ field: [String]?, _ code: String, _ message: String) -> [String: Any] {
        ["field": field.map { $0 as Any } ?? NSNull(), "code": code, "message": message]
    }

    private static func payload(errors: [[String: Any]], input: [String: Any]) -> [UInt8] {
        let result: [String: Any] = [
            "userErrors": errors,
            "inventoryAdjustmentGroup": errors.isEmpty
                ? ["reason": input["reason"] ?? "", "referenceDocumentUri": input["referenceDocumentUri"] ?? NSNull()] as Any : NSNull(),
        ]
        return Array((try? JSONSerialization.data(withJSONObject: result)) ?? Data())
    }

    private func variants(matching search: String) -> [[String: Any]] {
        let terms = search.components(separatedBy: " OR ").compactMap { term -> (field: String, value: String)? in
            let parts = term.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return (String(parts[0]), parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\" ")))
        }
        let (variants, barcodes) = state.withLock { ($0.variants, $0.barcodes) }
        return variants.filter { sku, id in
            terms.contains { ($0.field == "sku" && $0.value == sku) || ($0.field == "barcode" && $0.value == barcodes[id]) }
        }.sorted { $0.value < $1.value }.map { sku, id in
            ["sku": sku, "barcode": barcodes[id] ?? NSNull(), "inventoryItem": ["id": "gid://shopify/InventoryItem/\(id)"]]
        }
    }

    /// The named quantities of one level; `on_hand` is available + committed (no unavailable units here).
    static func quantities(_ names: [String], available: Int, committed: Int) -> [[String: Any]] {
        names.compactMap { name in
            switch name {
            case "available": ["name": name, "quantity": available]
            case "committed": ["name": name, "quantity": committed]
            case "on_hand": ["name": name, "quantity": available + committed]
            default: nil
            }
        }
    }

    /// `location(id:) { inventoryLevels(first:, after:) { … } }`: the levels stocked there, by item id.
    private func locationLevels(_ field: GraphQLOperation.Field) -> Any {
        guard let location = field.arguments["id"] as? String, locations.contains(location) else { return NSNull() }
        guard let connection = field.selection("inventoryLevels") else { return [String: Any]() }
        let names = connection.selection("nodes")?.selection("quantities")?.arguments["names"] as? [String] ?? ["available"]
        let (variants, levels, committed) = state.withLock { ($0.variants, $0.levels, $0.committed) }
        let stocked = variants.sorted { $0.value < $1.value }.compactMap { sku, id -> [String: Any]? in
            let key = "gid://shopify/InventoryItem/\(id)|\(location)"
            guard let available = levels[key] else { return nil }
            return [
                "item": ["id": "gid://shopify/InventoryItem/\(id)", "sku": sku],
                "quantities": Self.quantities(names, available: available, committed: committed[key] ?? 0),
            ]
        }
        return [connection.responseKey: Self.page(stocked, connection)]
    }

    /// `inventoryItems(first:, after:) { nodes { id sku inventoryLevels(first:) { … } } }`.
    private func inventoryItems(_ field: GraphQLOperation.Field) -> [String: Any] {
        let connection = field.selection("nodes")?.selection("inventoryLevels")
        let names = connection?.selection("nodes")?.selection("quantities")?.arguments["names"] as? [String] ?? ["available"]
        let (variants, levels, committed) = state.withLock { ($0.variants, $0.levels, $0.committed) }
        let items = variants.sorted { $0.value < $1.value }.map { sku, id -> Any in
            let gid = "gid://shopify/InventoryItem/\(id)"
            var node: [String: Any] = ["id": gid, "sku": sku]
            if let connection {
                let stocked = locations.compactMap { location -> Any? in
                    let key = "\(gid)|\(location)"
                    guard let available = levels[key] else { return nil }
                    return ["location": ["id": location], "quantities": Self.quantities(names, available: available, committed: committed[key] ?? 0)]
                }
                node[connection.responseKey] = Self.page(stocked, connection)
            }
            return node
        }
        return Self.page(items, field)
    }

    /// `inventoryItem(id:) { inventoryLevel(locationId:) { quantities(names:) { … } } }`.
    private func itemLevel(_ field: GraphQLOperation.Field) -> Any {
        guard let item = field.arguments["id"] as? String,
            state.withLock({ $0.variants.values.contains { "gid://shopify/InventoryItem/\($0)" == item } })
        else { return NSNull() }
        var result: [String: Any] = ["id": item]
        if let level = field.selection("inventoryLevel"), let location = level.arguments["locationId"] as? String {
            let key = "\(item)|\(location)"
            let names = level.selection("quantities")?.arguments["names"] as? [String] ?? ["available"]
            result[level.responseKey] = state.withLock { state -> Any in
                guard let available = state.levels[key] else { return NSNull() }
                return ["quantities": Self.quantities(names, available: available, committed: state.committed[key] ?? 0)]
            }
        }
        return result
    }

    /// One page of `nodes` for a connection field: `first` from `after` (a `cursor-N` offset).
    private static func page(_ nodes: [Any], _ connection: GraphQLOperation.Field) -> [String: Any] {
        let first = connection.arguments["first"] as? Int ?? 0
        let start = (connection.arguments["after"] as? String).flatMap { Int($0.dropFirst("cursor-".count)) } ?? 0
        let end = min(start + first, nodes.count)
        return [
            "nodes": start < end ? Array(nodes[start..<end]) : [],
            "pageInfo": ["hasNextPage": end < nodes.count, "endCursor": "cursor-\(end)"],
        ]
    }

    private func orders(_ field: GraphQLOperation.Field) -> [String: Any] {
        let format = ISO8601DateFormatter()
        let first = field.arguments["first"] as? Int ?? 0
        // Understands the one filter Omnistock sends: updated_at:>='<timestamp>'.
        let search = field.arguments["query"] as? String
        let since = search.flatMap { $0.split(separator: "'").dropFirst().first }.flatMap { format.date(from: String($0)) }
        let matching = orders.filter { since == nil || $0.updatedAt >= since! }.sorted { $0.updatedAt < $1.updatedAt }
        let lineItems = field.selection("nodes")?.selection("lineItems")
        let nodes = matching.prefix(first).map { order -> [String: Any] in
            var node: [String: Any] = [
                "id": order.gid, "name": "#\(order.id)", "createdAt": format.string(from: order.createdAt),
                "updatedAt": format.string(from: order.updatedAt),
                "cancelledAt": order.cancelledAt.map { format.string(from: $0) as Any } ?? NSNull(),
                "displayFulfillmentStatus": order.fulfilled ? "FULFILLED" : "UNFULFILLED",
            ]
            if let lineItems { node[lineItems.responseKey] = Self.page(Self.lines(order), lineItems) }
            return node
        }
        return ["nodes": nodes, "pageInfo": ["hasNextPage": matching.count > first]]
    }

    /// `order(id:) { lineItems(first:, after:) { … } }`: the rest of a long order's lines.
    private func orderLineItems(_ field: GraphQLOperation.Field) -> Any {
        guard let order = orders.first(where: { $0.gid == field.arguments["id"] as? String }) else { return NSNull() }
        var result: [String: Any] = ["id": order.gid]
        if let lineItems = field.selection("lineItems") { result[lineItems.responseKey] = Self.page(Self.lines(order), lineItems) }
        return result
    }

    private static func lines(_ order: Order) -> [Any] {
        order.lines.map { ["sku": $0.sku, "quantity": $0.quantity] }
    }
}
