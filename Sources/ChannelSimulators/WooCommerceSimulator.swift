import Foundation
import Hummingbird
import Synchronization

/// A store speaking the parts of WooCommerce's REST API v3 Omnistock uses: product and variation
/// batch updates (at most 100 items, errors per item), product, variation and order listings with
/// `X-WP-Total`/`X-WP-TotalPages`, and webhooks signed like WooCommerce's (plus the creation ping).
public final class WooCommerceSimulator: ChannelSimulator {
    struct Product {
        var id: Int
        var sku: String
        var type: String
        var parentID: Int
        var stock: Int?
    }

    /// An order in the store.
    public struct Order: Sendable {
        /// The order id.
        public var id: Int
        /// `pending`, `processing`, `on-hold`, `completed`, `cancelled`, `refunded`, `failed`.
        public var status: String
        /// The lines: SKU, quantity and the product (and variation) they are for.
        public var lines: [(sku: String, quantity: Int, productID: Int, variationID: Int)]
        /// Whether the buyer collects it (`local_pickup`).
        public var pickup: Bool
        /// When it was created.
        public var createdAt: Date
        /// When it last changed.
        public var modifiedAt: Date
    }

    struct State {
        var products: [Int: Product] = [:]
        var orders: [Order] = []
        var nextID = 100
    }

    /// The shared machinery.
    public let core = SimulatorCore()
    let authorization: String
    let webhookSecret: String
    let state = Mutex(State())

    /// Creates a store accepting Basic auth with the consumer key and secret.
    public init(consumerKey: String, consumerSecret: String, webhookSecret: String) {
        authorization = "Basic " + Data("\(consumerKey):\(consumerSecret)".utf8).base64EncodedString()
        self.webhookSecret = webhookSecret
    }

    /// Adds a simple product with managed stock and returns its id.
    @discardableResult
    public func addProduct(sku: String, stock: Int) -> Int {
        state.withLock { state in
            state.nextID += 1
            state.products[state.nextID] = Product(id: state.nextID, sku: sku, type: "simple", parentID: 0, stock: stock)
            return state.nextID
        }
    }

    /// Adds a variable product with variations and returns the parent id and the variation ids.
    @discardableResult
    public func addVariableProduct(sku: String, variations: [(sku: String, stock: Int)]) -> (parent: Int, variations: [Int]) {
        state.withLock { state in
            state.nextID += 1
            let parent = state.nextID
            state.products[parent] = Product(id: parent, sku: sku, type: "variable", parentID: 0, stock: nil)
            let ids = variations.map { variation in
                state.nextID += 1
                state.products[state.nextID] = Product(id: state.nextID, sku: variation.sku, type: "variation", parentID: parent, stock: variation.stock)
                return state.nextID
            }
            return (parent, ids)
        }
    }

    /// The stock of a product or variation.
    public func stock(of id: Int) -> Int? {
        state.withLock { $0.products[id]?.stock }
    }

    /// Sets stock by hand (an edit in wp-admin).
    public func setStock(of id: Int, to stock: Int) {
        state.withLock { $0.products[id]?.stock = stock }
    }

    /// Places an order and returns it.
    @discardableResult
    public func addOrder(lines: [(sku: String, quantity: Int)], status: String = "processing", pickup: Bool = false, at date: Date = Date()) -> Order {
        state.withLock { state in
            state.nextID += 1
            let products = state.products.values
            let resolved = lines.map { line in
                let product = products.first { $0.sku == line.sku }
                let isVariation = product?.type == "variation"
                return (line.sku, line.quantity, isVariation ? product?.parentID ?? 0 : product?.id ?? 0, isVariation ? product?.id ?? 0 : 0)
            }
            let order = Order(id: state.nextID, status: status, lines: resolved, pickup: pickup, createdAt: date, modifiedAt: date)
            state.orders.append(order)
            return order
        }
    }

    /// Places an order and delivers it as a signed `order.created` webhook to `url`.
    @discardableResult
    public func addOrder(lines: [(sku: String, quantity: Int)], pickup: Bool = false, deliverTo url: String) async throws -> Order {
        let order = addOrder(lines: lines, pickup: pickup)
        try await sendWebhook(topic: "order.created", payload: orderPayload(order), to: url)
        return order
    }

    /// Changes an order's status at `date` and returns it.
    @discardableResult
    public func updateOrder(_ id: Int, status: String, at date: Date = Date()) -> Order? {
        state.withLock { state in
            guard let index = state.orders.firstIndex(where: { $0.id == id }) else { return nil }
            state.orders[index].status = status
            state.orders[index].modifiedAt = date
            return state.orders[index]
        }
    }

    /// The order as the REST API and order webhooks show it.
    public func orderPayload(_ order: Order) -> [String: Any] {
        [
            "id": order.id, "number": String(order.id), "status": order.status,
            "date_created_gmt": Self.gmt(order.createdAt), "date_modified_gmt": Self.gmt(order.modifiedAt),
            "line_items": order.lines.enumerated().map { index, line -> [String: Any] in
                ["id": order.id * 10 + index, "sku": line.sku, "quantity": line.quantity, "product_id": line.productID, "variation_id": line.variationID]
            },
            "shipping_lines": [[
                "id": order.id * 10, "method_id": order.pickup ? "local_pickup" : "flat_rate",
                "method_title": order.pickup ? "Local pickup" : "Flat rate",
            ]],
        ]
    }

    /// Sends a webhook of `topic` (e.g. `order.created`) signed with the webhook secret; returns the receiver's status.
    @discardableResult
    public func sendWebhook(topic: String, payload: [String: Any], to url: String, deliveryID: String = UUID().uuidString) async throws -> Int {
        let body = Array(try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]))
        let parts = topic.split(separator: ".").map(String.init)
        return try await core.deliver(to: url, headers: [
            "Content-Type": "application/json", "X-WC-Webhook-Source": "https://shop.example/", "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": parts.first ?? "", "X-WC-Webhook-Event": parts.last ?? "", "X-WC-Webhook-ID": "5",
            "X-WC-Webhook-Delivery-ID": deliveryID,
            "X-WC-Webhook-Signature": SimulatorSigning.hmacBase64(key: Array(webhookSecret.utf8), body),
        ], body: body)
    }

    /// Sends the unsigned ping WooCommerce posts when a webhook is created.
    @discardableResult
    public func sendPing(to url: String, webhookID: Int = 5) async throws -> Int {
        try await core.deliver(to: url, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array("webhook_id=\(webhookID)".utf8))
    }

    static func gmt(_ date: Date) -> String {
        String(ISO8601DateFormatter().string(from: date).dropLast())
    }
}
