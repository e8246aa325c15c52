import Crypto
import Foundation
import Hummingbird
import Synchronization

/// A store speaking the parts of WooCommerce's REST API v3 Omnistock uses. Vendor behaviours modelled,
/// each from WooCommerce's documentation or source:
/// - Basic auth with the REST API consumer key and secret over HTTPS; `401 woocommerce_rest_cannot_view` without.
///   https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-https
/// - `POST /products/batch` and `/products/{id}/variations/batch`: at most 100 items, errors per item in the answer.
///   https://woocommerce.github.io/woocommerce-rest-api-docs/#batch-update-products
/// - Stock management: `manage_stock` defaults to `false` for new products and variations, and then
///   `stock_quantity` is `null`. https://woocommerce.github.io/woocommerce-rest-api-docs/#product-properties
///   An update applies `manage_stock` first; `stock_quantity` is stored only when the product then manages
///   stock, and is cleared when it does not; none of this applies while the store-wide "Enable stock
///   management" option is off (REST products controller, `woocommerce_manage_stock` option:
///   https://github.com/woocommerce/woocommerce/blob/trunk/plugins/woocommerce/includes/rest-api/Controllers/Version2/class-wc-rest-products-v2-controller.php).
/// - `global_unique_id`: the product's or variation's "GTIN, UPC, EAN or ISBN" (WooCommerce 9.2 and later), shown in
///   the product JSON. https://woocommerce.github.io/woocommerce-rest-api-docs/#product-properties
/// - Listings page with `page`/`per_page` and `X-WP-Total`/`X-WP-TotalPages`.
///   https://woocommerce.github.io/woocommerce-rest-api-docs/#pagination
/// - `GET /orders?modified_after=…`: compared with the orders' modification date in the site's time zone unless
///   `dates_are_gmt=true`, then with `date_modified_gmt`. https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders
///   Left open by the docs: how a zone suffix on the value is treated; modelled as WordPress's date query
///   does, by comparing the value's wall-clock digits (the suffix is ignored).
/// - Webhooks: `X-WC-Webhook-Signature` is the base64 HMAC-SHA256 of the raw body with the webhook secret;
///   `X-WC-Webhook-Topic`, `-Resource` (e.g. `order`), `-Event`, `-ID`, `-Source`; the body is the resource as
///   the REST API shows it. https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks
/// - `X-WC-Webhook-Delivery-ID` is `wp_hash(webhook id . strtotime('now'))` (`WC_Webhook::get_new_delivery_id`,
///   https://github.com/woocommerce/woocommerce/blob/trunk/plugins/woocommerce/includes/class-wc-webhook.php):
///   two deliveries of one webhook within one second carry the same id. `wp_hash` is an HMAC-MD5 keyed with
///   the site's salt; the salt here is the simulator's own.
/// - The unsigned creation ping: form body `webhook_id=<id>` (`WC_Webhook::deliver_ping`, same file).
package final class WooCommerceSimulator: ChannelSimulator {
    struct Product {
        var id: Int
        var sku: String
        var type: String
        var parentID: Int
        var manageStock: Bool
        var stock: Int?
        var globalUniqueID = ""
    }

    /// An order in the store.
    package struct Order: Sendable {
        /// The order id.
        package var id: Int
        /// `pending`, `processing`, `on-hold`, `completed`, `cancelled`, `refunded`, `failed`.
        package var status: String
        /// The lines: SKU, quantity and the product (and variation) they are for.
        package var lines: [(sku: String, quantity: Int, productID: Int, variationID: Int)]
        /// Whether the buyer collects it (`local_pickup`).
        package var pickup: Bool
        /// When it was created.
        package var createdAt: Date
        /// When it last changed.
        package var modifiedAt: Date
    }

    struct State {
        var products: [Int: Product] = [:]
        var orders: [Order] = []
        var nextID = 100
        var storeManagesStock = true
    }

    /// The shared machinery.
    package let core = SimulatorCore()
    let authorization: String
    let webhookSecret: String
    let state = Mutex(State())
    /// The site's time zone (WordPress Settings → General), in which `date_modified` and, without
    /// `dates_are_gmt`, the order filters are expressed.
    package let siteTimeZone: TimeZone
    /// The id of the webhook the simulator delivers as (`X-WC-Webhook-ID`).
    package let webhookID: Int
    private let siteSalt = Array("simulated-wordpress-auth-salt".utf8)

    /// Creates a store accepting Basic auth with the consumer key and secret.
    package init(
        consumerKey: String, consumerSecret: String, webhookSecret: String, siteTimeZone: TimeZone = TimeZone(identifier: "UTC")!, webhookID: Int = 5
    ) {
        authorization = "Basic " + Data("\(consumerKey):\(consumerSecret)".utf8).base64EncodedString()
        self.webhookSecret = webhookSecret
        self.siteTimeZone = siteTimeZone
        self.webhookID = webhookID
    }

    /// Adds a simple product with managed stock and returns its id.
    @discardableResult
    package func addProduct(sku: String, stock: Int) -> Int {
        add(sku: sku, manageStock: true, stock: stock)
    }

    /// Adds a simple product as WooCommerce creates it by default: stock management off, no quantity.
    @discardableResult
    package func addUnmanagedProduct(sku: String) -> Int {
        add(sku: sku, manageStock: false, stock: nil)
    }

    /// Sets a product's or variation's `global_unique_id` (GTIN/EAN), as a merchant does in wp-admin.
    package func setGlobalUniqueID(_ id: Int, _ value: String) {
        state.withLock { $0.products[id]?.globalUniqueID = value }
    }

    private func add(sku: String, manageStock: Bool, stock: Int?) -> Int {
        state.withLock { state in
            state.nextID += 1
            state.products[state.nextID] = Product(id: state.nextID, sku: sku, type: "simple", parentID: 0, manageStock: manageStock, stock: stock)
            return state.nextID
        }
    }

    /// Turns the store-wide "Enable stock management" option (WooCommerce → Settings → Products → Inventory) on or off.
    package func setStoreManagesStock(_ enabled: Bool) {
        state.withLock { $0.storeManagesStock = enabled }
    }

    /// Turns a product's stock management on or off by hand (wp-admin); off clears its quantity, as WooCommerce does.
    package func setManagesStock(_ id: Int, _ managed: Bool) {
        state.withLock { state in
            state.products[id]?.manageStock = managed
            if !managed { state.products[id]?.stock = nil }
        }
    }

    /// Whether a product or variation manages its stock.
    package func managesStock(_ id: Int) -> Bool? {
        state.withLock { $0.products[id]?.manageStock }
    }

    /// Adds a variable product with variations and returns the parent id and the variation ids.
    @discardableResult
    package func addVariableProduct(sku: String, variations: [(sku: String, stock: Int)]) -> (parent: Int, variations: [Int]) {
        state.withLock { state in
            state.nextID += 1
            let parent = state.nextID
            state.products[parent] = Product(id: parent, sku: sku, type: "variable", parentID: 0, manageStock: false, stock: nil)
            let ids = variations.map { variation in
                state.nextID += 1
                state.products[state.nextID] = Product(
                    id: state.nextID, sku: variation.sku, type: "variation", parentID: parent, manageStock: true, stock: variation.stock)
                return state.nextID
            }
            return (parent, ids)
        }
    }

    /// The stock of a product or variation.
    package func stock(of id: Int) -> Int? {
        state.withLock { $0.products[id]?.stock }
    }

    /// Sets stock by hand (an edit in wp-admin), turning stock management on.
    package func setStock(of id: Int, to stock: Int) {
        state.withLock { state in
            state.products[id]?.manageStock = true
            state.products[id]?.stock = stock
        }
    }

    /// Places an order and returns it.
    @discardableResult
    package func addOrder(lines: [(sku: String, quantity: Int)], status: String = "processing", pickup: Bool = false, at date: Date = Date()) -> Order
    {
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

    /// A buyer checks out: the order is placed `processing` and, as WooCommerce does once a payment is complete
    /// (`wc_maybe_reduce_stock_levels`,
    /// https://woocommerce.github.io/code-reference/files/woocommerce-includes-wc-stock-functions.html), the
    /// stock of each managed product drops by its quantity. Nil when a managed product has fewer units (the
    /// shop refuses to sell an out-of-stock product without backorders).
    package func checkout(lines: [(sku: String, quantity: Int)], pickup: Bool = false) -> Order? {
        let taken = state.withLock { state -> Bool in
            let wanted = lines.map { line in (line, state.products.values.first { $0.sku == line.sku }) }
            for (line, product) in wanted where product?.manageStock == true && (product?.stock ?? 0) < line.quantity { return false }
            for (line, product) in wanted where product?.manageStock == true {
                if let id = product?.id { state.products[id]?.stock? -= line.quantity }
            }
            return true
        }
        return taken ? addOrder(lines: lines, pickup: pickup) : nil
    }

    /// Places an order and delivers it as a signed `order.created` webhook to `url`.
    @discardableResult
    package func addOrder(lines: [(sku: String, quantity: Int)], pickup: Bool = false, deliverTo url: String) async throws -> Order {
        let order = addOrder(lines: lines, pickup: pickup)
        try await sendWebhook(topic: "order.created", payload: orderPayload(order), to: url)
        return order
    }

    /// Changes an order's status at `date` and returns it.
    @discardableResult
    package func updateOrder(_ id: Int, status: String, at date: Date = Date()) -> Order? {
        state.withLock { state in
            guard let index = state.orders.firstIndex(where: { $0.id == id }) else { return nil }
            state.orders[index].status = status
            state.orders[index].modifiedAt = date
            return state.orders[index]
        }
    }

    /// The order as the REST API and order webhooks show it.
    package func orderPayload(_ order: Order) -> [String: Any] {
        [
            "id": order.id, "number": String(order.id), "status": order.status,
            "date_created": local(order.createdAt), "date_created_gmt": Self.gmt(order.createdAt),
            "date_modified": local(order.modifiedAt), "date_modified_gmt": Self.gmt(order.modifiedAt),
            "line_items": order.lines.enumerated().map { index, line -> [String: Any] in
                [
                    "id": order.id * 10 + index, "sku": line.sku, "quantity": line.quantity, "product_id": line.productID,
                    "variation_id": line.variationID,
                ]
            },
            "shipping_lines": [
                [
                    "id": order.id * 10, "method_id": order.pickup ? "local_pickup" : "flat_rate",
                    "method_title": order.pickup ? "Local pickup" : "Flat rate",
                ]
            ],
        ]
    }

    /// Sends a webhook of `topic` (e.g. `order.created`) signed with the webhook secret, as delivered at `date`
    /// (which fixes its delivery id, see the type's notes); returns the receiver's status.
    @discardableResult
    package func sendWebhook(topic: String, payload: [String: Any], to url: String, at date: Date = Date()) async throws -> Int {
        let body = Array(try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]))
        let parts = topic.split(separator: ".").map(String.init)
        return try await core.deliver(
            to: url,
            headers: [
                "Content-Type": "application/json", "X-WC-Webhook-Source": "https://shop.example/", "X-WC-Webhook-Topic": topic,
                "X-WC-Webhook-Resource": parts.first ?? "", "X-WC-Webhook-Event": parts.last ?? "", "X-WC-Webhook-ID": String(webhookID),
                "X-WC-Webhook-Delivery-ID": deliveryID(at: date),
                "X-WC-Webhook-Signature": SimulatorSigning.hmacBase64(key: Array(webhookSecret.utf8), body),
            ], body: body)
    }

    /// Sends the unsigned ping WooCommerce posts when a webhook is created.
    @discardableResult
    package func sendPing(to url: String, webhookID: Int = 5) async throws -> Int {
        try await core.deliver(to: url, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array("webhook_id=\(webhookID)".utf8))
    }

    /// `wp_hash($webhook_id . strtotime('now'))`: the same for every delivery of this webhook within one second.
    package func deliveryID(at date: Date) -> String {
        let message = Array("\(webhookID)\(Int(date.timeIntervalSince1970.rounded(.down)))".utf8)
        return Array(HMAC<Insecure.MD5>.authenticationCode(for: message, using: SymmetricKey(data: siteSalt)))
            .map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func gmt(_ date: Date) -> String {
        String(ISO8601DateFormatter().string(from: date).dropLast())
    }

    /// `date` as the site's wall clock, without a zone (`date_modified`, and the filters without `dates_are_gmt`).
    func local(_ date: Date) -> String {
        Self.wallClock(in: siteTimeZone).string(from: date)
    }

    /// `yyyy-MM-ddTHH:mm:ss` in `zone`, the form WordPress stores post dates in.
    static func wallClock(in zone: TimeZone) -> DateFormatter {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = zone
        format.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return format
    }
}
