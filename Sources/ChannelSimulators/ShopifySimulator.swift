import Foundation
import Hummingbird
import Synchronization

/// A shop speaking the parts of Shopify's Admin GraphQL API Omnistock uses, and sending webhooks signed like Shopify's.
///
/// Vendor behaviours modelled, each with the page it comes from:
/// - `inventorySetQuantities` sets `available` per item and location, all or nothing, with compare-and-swap on
///   `changeFromQuantity` (`CHANGE_FROM_QUANTITY_STALE` when it differs from the persisted value, explicit `null`
///   opts out, omitting it is an error from 2026-04):
///   https://shopify.dev/docs/api/admin-graphql/latest/mutations/inventorySetQuantities,
///   https://shopify.dev/changelog/compare-and-swap-redesign-for-inventory-set-quantities,
///   https://shopify.dev/docs/api/admin-graphql/latest/input-objects/InventoryQuantityInput
/// - Its error codes and `field` paths: https://shopify.dev/docs/api/admin-graphql/latest/enums/InventorySetQuantitiesUserErrorCode
/// - `@idempotent(key:)` is mandatory (runtime error without it, from 2026-04); a repeat with the same key and the
///   same input returns the first result; the same key with other input is `IDEMPOTENCY_KEY_PARAMETER_MISMATCH`;
///   a repeat of a key whose attempt failed is `IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED` ("retry with a new idempotency key"):
///   https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations,
///   https://shopify.dev/docs/api/usage/idempotent-requests, https://shopify.dev/docs/api/usage/implementing-idempotency
/// - An order placed at Shopify commits its units at the fulfilling location: `available` goes down, `committed`
///   up, `on_hand` (= available + committed here) stays:
///   https://shopify.dev/docs/apps/build/orders-fulfillment/inventory-management-apps (How it works),
///   https://shopify.dev/docs/api/admin-graphql/latest/objects/InventoryQuantity
/// - Calculated query cost (objects 1, scalars 0, connections 2 + `first` × node, nested connections multiply,
///   mutations 10), a 1,000-point ceiling per query (`MAX_COST_EXCEEDED`), a leaky bucket refilled at the plan's
///   rate (Standard 100, Advanced 200, Plus 1,000, Enterprise 2,000 points/s), `THROTTLED` (HTTP 200) when it does
///   not hold the requested cost, and `extensions.cost` with `throttleStatus` on every answer:
///   https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits, https://shopify.dev/docs/api/usage/limits
/// - Connections page with `first`/`after` and `pageInfo { hasNextPage endCursor }`, at most 250 nodes per page:
///   https://shopify.dev/docs/api/usage/pagination-graphql
/// - `Location.inventoryLevels` and `InventoryItem.inventoryLevel(locationId:)`:
///   https://shopify.dev/docs/api/admin-graphql/latest/connections/InventoryLevelConnection
/// - Bulk operations for whole-catalogue reads: `bulkOperationRunQuery(query:)` (one bulk query per app and shop at
///   a time), `currentBulkOperation` polled from `CREATED`/`RUNNING` to `COMPLETED`, the result as JSONL at `url`
///   (fetched without the access token) with nested connection nodes on lines of their own carrying `__parentId`;
///   bulk queries are not subject to the single-query cost ceiling:
///   https://shopify.dev/docs/api/usage/bulk-operations/queries,
///   https://shopify.dev/docs/api/admin-graphql/latest/objects/BulkOperation,
///   https://shopify.dev/docs/api/admin-graphql/latest/queries/currentBulkOperation
/// - `productVariants(query:)` filtered by `sku:` or `barcode:` terms joined with `OR`, each variant with its
///   `barcode` (ISBN, UPC, GTIN…; several variants may share a SKU or a barcode, Shopify enforces neither):
///   https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariants,
///   https://shopify.dev/docs/api/admin-graphql/latest/objects/ProductVariant (`barcode`)
/// - `productVariantsCount { count }`: https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariantsCount
/// - Webhooks signed with `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the body with the app secret) and
///   `X-Shopify-Webhook-Id`: https://shopify.dev/docs/apps/build/webhooks/subscribe/https
///
/// Left open by the docs, chosen here (named so that nobody mistakes them for Shopify's word):
/// - The bucket size per plan: the current page gives only restore rates; the bucket holds 20 s of restore
///   (the ratio of the figures Shopify published earlier, 1,000 points at 50/s) unless configured.
/// - Actual cost: the bucket is charged the requested cost and nothing is refunded (stricter than Shopify).
/// - The idempotency retention window: keys are remembered for the simulator's lifetime.
/// - The cost of list (non-connection) fields of objects, such as `quantities`: one object.
/// - The exact text of `MAX_COST_EXCEEDED` and `THROTTLED` messages (the codes are documented).
/// - How long a bulk operation runs: here it completes on the second poll.
package final class ShopifySimulator: ChannelSimulator {
    /// An order in the shop.
    package struct Order: Sendable {
        /// The numeric order id.
        package var id: Int
        /// The lines: SKU and quantity.
        package var lines: [(sku: String, quantity: Int)]
        /// When it was created.
        package var createdAt: Date
        /// When it last changed.
        package var updatedAt: Date
        /// When it was cancelled, if it was.
        package var cancelledAt: Date?
        /// Whether it is fulfilled.
        package var fulfilled: Bool
        /// The GraphQL id.
        package var gid: String { "gid://shopify/Order/\(id)" }
    }

    /// A plan's rate limit: the bucket's restore rate and size in points.
    package struct Plan: Sendable {
        /// Points restored per second.
        package var restoreRate: Double
        /// Points the bucket holds when full.
        package var bucketSize: Double

        /// A plan restoring `restoreRate` points/s with a bucket of `bucketSize` (default: 20 s of restore, see above).
        package init(restoreRate: Double, bucketSize: Double? = nil) {
            self.restoreRate = restoreRate
            self.bucketSize = bucketSize ?? restoreRate * 20
        }

        /// Standard: 100 points/s.
        package static let standard = Plan(restoreRate: 100)
        /// Advanced Shopify: 200 points/s.
        package static let advanced = Plan(restoreRate: 200)
        /// Shopify Plus: 1,000 points/s.
        package static let plus = Plan(restoreRate: 1000)
        /// Shopify for enterprise (Commerce Components): 2,000 points/s.
        package static let enterprise = Plan(restoreRate: 2000)
    }

    /// An idempotency key's first request: its input, and its result if it succeeded.
    struct IdempotentAttempt {
        var input: [UInt8]
        var result: [UInt8]?
    }

    struct State {
        var variants: [String: Int] = [:]
        var barcodes: [Int: String] = [:]
        /// The inventory item ids of `variants`, for lookups by id.
        var items: Set<String> = []
        var levels: [String: Int] = [:]
        var committed: [String: Int] = [:]
        var orders: [Order] = []
        var attempts: [String: IdempotentAttempt] = [:]
        var nextID = 1000
        var bucket: CostBucket
        var throttledAnswers = 0
        var bulk: BulkRun?
        var nextBulkID = 1
    }

    /// The shared machinery.
    package let core = SimulatorCore()
    let accessToken: String
    let webhookSecret: String
    /// The shop's locations (`gid://shopify/Location/…`).
    package let locations: [String]
    let state: Mutex<State>

    /// Creates a shop with the given locations on `plan`, accepting `X-Shopify-Access-Token: accessToken`.
    package init(accessToken: String, webhookSecret: String, locations: [String] = ["gid://shopify/Location/1"], plan: Plan = .plus) {
        self.accessToken = accessToken
        self.webhookSecret = webhookSecret
        self.locations = locations
        state = Mutex(State(bucket: CostBucket(capacity: plan.bucketSize, restoreRate: plan.restoreRate)))
    }

    /// Adds a product variant with `sku` and returns its inventory item id.
    @discardableResult
    package func addVariant(sku: String) -> String {
        state.withLock { state in
            state.nextID += 1
            state.variants[sku] = state.nextID
            state.items.insert("gid://shopify/InventoryItem/\(state.nextID)")
            return "gid://shopify/InventoryItem/\(state.nextID)"
        }
    }

    /// Sets the barcode of `sku`'s variant, as a merchant does in the admin.
    package func setBarcode(sku: String, _ barcode: String) {
        state.withLock { state in
            if let id = state.variants[sku] { state.barcodes[id] = barcode }
        }
    }

    /// The inventory item id of `sku`, if the shop has it.
    package func inventoryItem(sku: String) -> String? {
        state.withLock { $0.variants[sku] }.map { "gid://shopify/InventoryItem/\($0)" }
    }

    /// The `available` quantity of `sku` at `location`.
    package func level(sku: String, location: String) -> Int? {
        guard let item = inventoryItem(sku: sku) else { return nil }
        return state.withLock { $0.levels["\(item)|\(location)"] }
    }

    /// Sets a quantity by hand (a merchant's edit in the admin).
    package func setLevel(sku: String, location: String, available: Int) {
        let item = inventoryItem(sku: sku) ?? addVariant(sku: sku)
        state.withLock { $0.levels["\(item)|\(location)"] = available }
    }

    /// The `committed` quantity of `sku` at `location`: units of placed orders not yet fulfilled.
    package func committed(sku: String, location: String) -> Int {
        guard let item = inventoryItem(sku: sku) else { return 0 }
        return state.withLock { $0.committed["\(item)|\(location)"] ?? 0 }
    }

    /// How many queries were refused with `THROTTLED` because the bucket did not hold their cost.
    package var throttledAnswers: Int { state.withLock { $0.throttledAnswers } }

    /// The orders in the shop.
    package var orders: [Order] { state.withLock { $0.orders } }

    /// Places an order and returns it; `updatedAt` defaults to now. Given a `location`, the order commits its
    /// units there as Shopify does for its own sales: `available` drops by each line's quantity, `committed` rises.
    @discardableResult
    package func addOrder(lines: [(sku: String, quantity: Int)], at date: Date = Date(), location: String? = nil) -> Order {
        state.withLock { state in
            state.nextID += 1
            let order = Order(id: state.nextID, lines: lines, createdAt: date, updatedAt: date, cancelledAt: nil, fulfilled: false)
            state.orders.append(order)
            if let location {
                for line in lines {
                    guard let id = state.variants[line.sku] else { continue }
                    let key = "gid://shopify/InventoryItem/\(id)|\(location)"
                    state.levels[key, default: 0] -= line.quantity
                    state.committed[key, default: 0] += line.quantity
                }
            }
            return order
        }
    }

    /// Places an order and delivers it as a signed `orders/create` webhook to `url`.
    @discardableResult
    package func addOrder(lines: [(sku: String, quantity: Int)], deliverTo url: String) async throws -> Order {
        let order = addOrder(lines: lines)
        try await sendWebhook(topic: "orders/create", payload: orderPayload(order), to: url)
        return order
    }

    /// Cancels or fulfils an order at `date`.
    package func updateOrder(_ id: Int, cancelled: Bool = false, fulfilled: Bool = false, at date: Date = Date()) {
        state.withLock { state in
            guard let index = state.orders.firstIndex(where: { $0.id == id }) else { return }
            if cancelled { state.orders[index].cancelledAt = date }
            if fulfilled { state.orders[index].fulfilled = true }
            state.orders[index].updatedAt = date
        }
    }

    /// The REST-shaped order payload Shopify's order webhooks carry.
    package func orderPayload(_ order: Order) -> [String: Any] {
        let format = ISO8601DateFormatter()
        return [
            "id": order.id, "admin_graphql_api_id": order.gid, "name": "#\(order.id)",
            "created_at": format.string(from: order.createdAt), "updated_at": format.string(from: order.updatedAt),
            "cancelled_at": order.cancelledAt.map { format.string(from: $0) as Any } ?? NSNull(),
            "fulfillment_status": order.fulfilled ? "fulfilled" : NSNull(),
            "line_items": order.lines.enumerated().map { index, line -> [String: Any] in
                ["id": order.id * 100 + index, "sku": line.sku, "quantity": line.quantity, "variant_id": 5000 + index, "title": line.sku]
            },
        ]
    }

    /// The `refunds/create` payload of a refund restocking `lines` (as `return`) at `location`.
    package func refundPayload(order: Order, refundID: Int, restocked lines: [(sku: String, quantity: Int)], location: String) -> [String: Any] {
        let locationID = Int(location.split(separator: "/").last ?? "") ?? 0
        return [
            "id": refundID, "order_id": order.id, "created_at": ISO8601DateFormatter().string(from: Date()),
            "refund_line_items": lines.enumerated().map { index, line -> [String: Any] in
                [
                    "id": refundID * 10 + index, "quantity": line.quantity, "restock_type": "return", "location_id": locationID,
                    "line_item": ["id": order.id * 100 + index, "sku": line.sku, "quantity": line.quantity, "variant_id": 5000 + index],
                ]
            },
        ]
    }

    /// Sends a webhook of `topic` with `payload`, signed with the app secret, and returns the receiver's status.
    @discardableResult
    package func sendWebhook(topic: String, payload: [String: Any], to url: String, webhookID: String = UUID().uuidString) async throws -> Int {
        let body = Array(try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]))
        return try await core.deliver(
            to: url,
            headers: [
                "Content-Type": "application/json", "X-Shopify-Topic": topic,
                "X-Shopify-Hmac-Sha256": SimulatorSigning.hmacBase64(key: Array(webhookSecret.utf8), body),
                "X-Shopify-Shop-Domain": "simulated.myshopify.com", "X-Shopify-API-Version": "2026-10",
                "X-Shopify-Webhook-Id": webhookID, "X-Shopify-Event-Id": "event-" + webhookID,
                "X-Shopify-Triggered-At": ISO8601DateFormatter().string(from: Date()),
            ], body: body)
    }

    /// `POST /admin/api/{version}/graphql.json`.
    package func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/admin/api/:version/graphql.json") { request, _ in
            try await self.core.respond(to: request, throttled: Self.throttled) { recorded, fault in
                guard recorded.header("X-Shopify-Access-Token") == self.accessToken else {
                    return SimulatorCore.json(["errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"], status: 401)
                }
                guard let body = SimulatorCore.parse(recorded.body) as? [String: Any], let query = body["query"] as? String else {
                    return SimulatorCore.json(["errors": [["message": "Parse error"]]], status: 400)
                }
                let variables = body["variables"] as? [String: Any] ?? [:]
                let operation: GraphQLOperation
                do {
                    operation = try GraphQLOperation(parsing: query, variables: variables)
                } catch {
                    return SimulatorCore.json(["errors": [["message": "Parse error: \((error as? GraphQLOperation.SyntaxError)?.message ?? "")"]]])
                }
                return self.answer(operation, stale: fault == .stale)
            }
        }
        // A bulk operation's result file: at Shopify a signed storage URL, fetched without the access token.
        router.get("/bulk-results/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            return try await self.core.respond(to: request) { _, _ in
                guard let file = self.state.withLock({ $0.bulk.flatMap { $0.fileName == name ? $0.lines : nil } }) else {
                    return SimulatorCore.bytes(Array("NoSuchKey".utf8), status: 404)
                }
                return SimulatorCore.bytes(file, status: 200, headers: ["Content-Type": "application/jsonl"])
            }
        }
        return router
    }

    /// Costs the operation, refuses it above the single-query ceiling or when the bucket lacks its cost,
    /// and otherwise resolves it (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits).
    private func answer(_ operation: GraphQLOperation, stale: Bool) -> Response {
        let cost = ShopifyCostModel.requestedCost(operation)
        guard cost <= ShopifyCostModel.singleQueryLimit else {
            return SimulatorCore.json([
                "errors": [
                    [
                        "message": "Query cost is \(cost), which exceeds the single query max cost limit (\(ShopifyCostModel.singleQueryLimit)).",
                        "extensions": ["code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": ShopifyCostModel.singleQueryLimit],
                    ]
                ]
            ])
        }
        let (admitted, extensions) = state.withLock { state in
            let admitted = state.bucket.take(cost)
            if !admitted { state.throttledAnswers += 1 }
            return (admitted, state.bucket.extensions(requested: cost, actual: admitted ? cost : nil))
        }
        guard admitted else {
            return SimulatorCore.json(["errors": [["message": "Throttled", "extensions": ["code": "THROTTLED"]]], "extensions": extensions])
        }
        var body = resolve(operation, stale: stale)
        body["extensions"] = extensions
        return SimulatorCore.json(body)
    }

    /// A `THROTTLED` answer whose cost figures ask for a wait of `seconds` (an injected fault).
    static func throttled(_ seconds: Int) -> Response {
        SimulatorCore.json([
            "errors": [["message": "Throttled", "extensions": ["code": "THROTTLED"]]],
            "extensions": [
                "cost": [
                    "requestedQueryCost": 1000, "actualQueryCost": NSNull(),
                    "throttleStatus": ["maximumAvailable": 2000, "currentlyAvailable": max(1000 - 50 * seconds, 0), "restoreRate": 50],
                ]
            ],
        ])
    }
}
