import Foundation
import Hummingbird
import Synchronization

/// A shop speaking the parts of Shopify's Admin GraphQL API Omnistock uses (`inventorySetQuantities`,
/// `productVariants`, `inventoryItems`, `orders`), with cost extensions and `THROTTLED` errors,
/// and sending webhooks signed like Shopify's.
public final class ShopifySimulator: ChannelSimulator {
    /// An order in the shop.
    public struct Order: Sendable {
        /// The numeric order id.
        public var id: Int
        /// The lines: SKU and quantity.
        public var lines: [(sku: String, quantity: Int)]
        /// When it was created.
        public var createdAt: Date
        /// When it last changed.
        public var updatedAt: Date
        /// When it was cancelled, if it was.
        public var cancelledAt: Date?
        /// Whether it is fulfilled.
        public var fulfilled: Bool
        /// The GraphQL id.
        public var gid: String { "gid://shopify/Order/\(id)" }
    }

    struct State {
        var variants: [String: Int] = [:]
        var levels: [String: Int] = [:]
        var orders: [Order] = []
        var idempotentResults: [String: [UInt8]] = [:]
        var nextID = 1000
    }

    /// The shared machinery.
    public let core = SimulatorCore()
    let accessToken: String
    let webhookSecret: String
    /// The shop's locations (`gid://shopify/Location/…`).
    public let locations: [String]
    let state = Mutex(State())

    /// Creates a shop with the given locations, accepting `X-Shopify-Access-Token: accessToken`.
    public init(accessToken: String, webhookSecret: String, locations: [String] = ["gid://shopify/Location/1"]) {
        self.accessToken = accessToken
        self.webhookSecret = webhookSecret
        self.locations = locations
    }

    /// Adds a product variant with `sku` and returns its inventory item id.
    @discardableResult
    public func addVariant(sku: String) -> String {
        state.withLock { state in
            state.nextID += 1
            state.variants[sku] = state.nextID
            return "gid://shopify/InventoryItem/\(state.nextID)"
        }
    }

    /// The inventory item id of `sku`, if the shop has it.
    public func inventoryItem(sku: String) -> String? {
        state.withLock { $0.variants[sku] }.map { "gid://shopify/InventoryItem/\($0)" }
    }

    /// The `available` quantity of `sku` at `location`.
    public func level(sku: String, location: String) -> Int? {
        guard let item = inventoryItem(sku: sku) else { return nil }
        return state.withLock { $0.levels["\(item)|\(location)"] }
    }

    /// Sets a quantity by hand (a merchant's edit in the admin).
    public func setLevel(sku: String, location: String, available: Int) {
        let item = inventoryItem(sku: sku) ?? addVariant(sku: sku)
        state.withLock { $0.levels["\(item)|\(location)"] = available }
    }

    /// The orders in the shop.
    public var orders: [Order] { state.withLock { $0.orders } }

    /// Places an order and returns it; `updatedAt` defaults to now.
    @discardableResult
    public func addOrder(lines: [(sku: String, quantity: Int)], at date: Date = Date()) -> Order {
        state.withLock { state in
            state.nextID += 1
            let order = Order(id: state.nextID, lines: lines, createdAt: date, updatedAt: date, cancelledAt: nil, fulfilled: false)
            state.orders.append(order)
            return order
        }
    }

    /// Places an order and delivers it as a signed `orders/create` webhook to `url`.
    @discardableResult
    public func addOrder(lines: [(sku: String, quantity: Int)], deliverTo url: String) async throws -> Order {
        let order = addOrder(lines: lines)
        try await sendWebhook(topic: "orders/create", payload: orderPayload(order), to: url)
        return order
    }

    /// Cancels or fulfils an order at `date`.
    public func updateOrder(_ id: Int, cancelled: Bool = false, fulfilled: Bool = false, at date: Date = Date()) {
        state.withLock { state in
            guard let index = state.orders.firstIndex(where: { $0.id == id }) else { return }
            if cancelled { state.orders[index].cancelledAt = date }
            if fulfilled { state.orders[index].fulfilled = true }
            state.orders[index].updatedAt = date
        }
    }

    /// The REST-shaped order payload Shopify's order webhooks carry.
    public func orderPayload(_ order: Order) -> [String: Any] {
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
    public func refundPayload(order: Order, refundID: Int, restocked lines: [(sku: String, quantity: Int)], location: String) -> [String: Any] {
        let locationID = Int(location.split(separator: "/").last ?? "") ?? 0
        return [
            "id": refundID, "order_id": order.id, "created_at": ISO8601DateFormatter().string(from: Date()),
            "refund_line_items": lines.enumerated().map { index, line -> [String: Any] in
                ["id": refundID * 10 + index, "quantity": line.quantity, "restock_type": "return", "location_id": locationID,
                 "line_item": ["id": order.id * 100 + index, "sku": line.sku, "quantity": line.quantity, "variant_id": 5000 + index]]
            },
        ]
    }

    /// Sends a webhook of `topic` with `payload`, signed with the app secret, and returns the receiver's status.
    @discardableResult
    public func sendWebhook(topic: String, payload: [String: Any], to url: String, webhookID: String = UUID().uuidString) async throws -> Int {
        let body = Array(try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]))
        return try await core.deliver(to: url, headers: [
            "Content-Type": "application/json", "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": SimulatorSigning.hmacBase64(key: Array(webhookSecret.utf8), body),
            "X-Shopify-Shop-Domain": "simulated.myshopify.com", "X-Shopify-API-Version": "2026-10",
            "X-Shopify-Webhook-Id": webhookID, "X-Shopify-Event-Id": "event-" + webhookID,
            "X-Shopify-Triggered-At": ISO8601DateFormatter().string(from: Date()),
        ], body: body)
    }

    /// `POST /admin/api/{version}/graphql.json`.
    public func makeRouter() -> Router<BasicRequestContext> {
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
                return Self.answer(self.resolve(query: query, variables: variables, stale: fault == .stale))
            }
        }
        return router
    }

    /// A `THROTTLED` answer whose cost figures ask for a wait of `seconds`.
    static func throttled(_ seconds: Int) -> Response {
        SimulatorCore.json([
            "errors": [["message": "Throttled", "extensions": ["code": "THROTTLED"]]],
            "extensions": ["cost": [
                "requestedQueryCost": 1000, "actualQueryCost": NSNull(),
                "throttleStatus": ["maximumAvailable": 2000, "currentlyAvailable": max(1000 - 50 * seconds, 0), "restoreRate": 50],
            ]],
        ])
    }

    private static func answer(_ result: [String: Any]) -> Response {
        var body = result
        body["extensions"] = ["cost": [
            "requestedQueryCost": 10, "actualQueryCost": 10,
            "throttleStatus": ["maximumAvailable": 2000, "currentlyAvailable": 1990, "restoreRate": 100],
        ]]
        return SimulatorCore.json(body)
    }
}
