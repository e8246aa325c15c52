import Foundation
import Hummingbird
import Synchronization

/// A shop on a Mirakl marketplace (Empik and the others run on the Mirakl Marketplace Platform), speaking the parts of
/// the seller API Omnistock uses. Vendor behaviours modelled, from the seller API reference
/// (https://developer.mirakl.com/content/product/mmp/rest/seller/openapi3):
/// - Auth: the shop API key is the whole `Authorization` header ("Authorization: YOUR_API_KEY",
///   https://developer.mirakl.com/content/product/mcm/rest/seller/openapi3/stores); 401 without it. `shop_id` picks one
///   of the user's shops ("Use this parameter when your user has access to several shops. If not specified, the shop_id
///   from your default shop will be used"); a shop that is not the user's answers 403 ("Forbidden", the general notes'
///   return codes). The error body is left open by the docs; modelled as `{"status":…,"message":…}`.
/// - OF24 `POST /api/offers` (https://developer.mirakl.com/content/product/mmp/rest/seller/openapi3/offers/of24):
///   JSON `offers`, each with `shop_sku`, `quantity`, `update_delete`…; answers an `import_id`. "You must send all
///   offer fields. Offer fields that are not sent are reset to their default value": an update replaces every modelled
///   field. "Maximum usage: Once per minute": a second call within the interval answers 429 with `Retry-After`
///   ("If you make too many calls, you might receive an HTTP 429 … The response will contain a Retry-After header",
///   https://developer.mirakl.com/content/connector/operator/shopify/app-operator-shopify/rest/public/openapi3).
/// - Offer lines are checked one by one and a refused line is only reported, never applied (OF02/OF03, import
///   statistics and error report): `quantity` must be an integer from 0 to one billion ("The quantity available in stock
///   (maximum: one billion). Integer greater than or equal to 0", OF01 as quoted in
///   https://help.useresponse.com/hemi/knowledge-base/article/marketplaces-laredoute-mirakl-technical-scope-laredoute-product-offer-management-laredoute-offer-stock-update_1);
///   an unknown `shop_sku` needs `product_id` ("Required at offer creation", same page); a product other than the
///   offer's is refused ("The product linked to the new offer is different from the product linked to the existing
///   offer", https://support.astoreprocurement.com/hc/en-gb/articles/360019161539-Common-offer-file-import-errors).
///   Left open by the docs, chosen here: the import runs at once and is `COMPLETE` when OF02 first reads it.
/// - OF02 `GET /api/offers/imports/{import}`: `status`, `lines_read`, `lines_in_success`, `lines_in_error`,
///   `has_error_report` (https://developer.mirakl.com/content/product/mmp/rest/seller/openapi3/offers/of02).
/// - OF21 `GET /api/offers` (https://developer.mirakl.com/content/product/mmp/rest/seller/openapi3/offers/of21): offset
///   pagination (`offset`, `max`, `total_count`); each offer with `shop_sku`, `product_sku`, `product_references`,
///   `quantity`, `active` and the fields OF24 takes. The default sort is left to the platform; modelled by `shop_sku`.
/// - OR11 `GET /api/orders` (https://developer.mirakl.com/content/product/mmp/rest/seller/openapi3/orders/or11): offset
///   pagination; `start_update_date` filters on the last update; sorted by creation date, then order id (the
///   documented default); orders with `order_id`, `order_state`, `created_date`, `last_updated_date` and `order_lines`
///   (`offer_sku`, `quantity`, `order_line_state`).
package final class MiraklSimulator: ChannelSimulator {
    /// An offer of the shop.
    package struct Offer: Sendable, Hashable {
        /// The seller's SKU for the offer.
        package var shopSKU: String
        /// The Mirakl product the offer sells.
        package var productSKU: String
        /// The product's EAN, if any.
        package var ean: String?
        /// Stock.
        package var quantity: Int
        /// Price.
        package var price: Double?
        /// Offer state (condition) code, e.g. `11` for new.
        package var stateCode: String?
        /// Description.
        package var description: String?
        /// Days to ship.
        package var leadtimeToShip: Int?
        /// Logistic class code.
        package var logisticClass: String?
        /// Additional fields, code → value.
        package var additionalFields: [String: String]
        /// Whether buyers can order it.
        package var active: Bool
    }

    /// An order line.
    package struct Line: Sendable, Hashable {
        /// The ordered offer's `shop_sku`.
        package var offerSKU: String
        /// Units.
        package var quantity: Int
        /// The line's own state, e.g. `REFUSED`.
        package var state: String?

        /// Creates a line.
        package init(offerSKU: String, quantity: Int, state: String? = nil) {
            self.offerSKU = offerSKU
            self.quantity = quantity
            self.state = state
        }
    }

    struct Order {
        var id: String
        var state: String
        var created: Date
        var updated: Date
        var lines: [Line]
    }

    struct OfferImport {
        var linesRead: Int
        var errors: [(sku: String, message: String)]
        var inserted = 0
        var updated = 0
        var deleted = 0
    }

    struct State {
        var offers: [String: Offer] = [:]
        var orders: [Order] = []
        var imports: [Int: OfferImport] = [:]
        var nextImport = 1
        var lastOfferImport: Date?
        var refusedOfferImports = 0
        var scripted: [(request: Int, status: Int, body: String)] = []
        var handled = 0
    }

    /// The shared machinery.
    package let core = SimulatorCore()
    let apiKey: String
    let shops: Set<String>
    let offerImportInterval: TimeInterval
    let state = Mutex(State())

    /// OF24's documented maximum usage: once per minute.
    package static let offerImportInterval: TimeInterval = 60

    /// A shop whose user holds `apiKey` and may act on `shops` (the first is the default shop);
    /// `offerImportInterval` shortens OF24's once-a-minute limit for tests.
    package init(apiKey: String, shops: [String] = ["2001"], offerImportInterval: TimeInterval = MiraklSimulator.offerImportInterval) {
        self.apiKey = apiKey
        self.shops = Set(shops)
        self.offerImportInterval = offerImportInterval
    }

    /// Adds an offer.
    package func addOffer(
        shopSKU: String, productSKU: String? = nil, ean: String? = nil, quantity: Int, price: Double = 19.99, stateCode: String = "11",
        description: String? = nil, leadtimeToShip: Int? = 2, logisticClass: String? = "M", additionalFields: [String: String] = [:],
        active: Bool = true
    ) {
        let offer = Offer(
            shopSKU: shopSKU, productSKU: productSKU ?? "PRD-\(shopSKU)", ean: ean, quantity: quantity, price: price, stateCode: stateCode,
            description: description, leadtimeToShip: leadtimeToShip, logisticClass: logisticClass, additionalFields: additionalFields,
            active: active)
        state.withLock { $0.offers[shopSKU] = offer }
    }

    /// An offer's current state.
    package func offer(_ shopSKU: String) -> Offer? {
        state.withLock { $0.offers[shopSKU] }
    }

    /// Sets an offer's stock by hand (an edit in the back office).
    package func setQuantity(_ shopSKU: String, _ quantity: Int) {
        state.withLock { $0.offers[shopSKU]?.quantity = quantity }
    }

    /// Adds an order, or replaces the one with the same id; `updated` defaults to `created`.
    package func putOrder(id: String, state orderState: String, lines: [Line], created: Date, updated: Date? = nil) {
        state.withLock { state in
            state.orders.removeAll { $0.id == id }
            state.orders.append(Order(id: id, state: orderState, created: created, updated: updated ?? created, lines: lines))
        }
    }

    /// Moves an order to `orderState` at `time` (its `last_updated_date`).
    package func setOrderState(_ id: String, _ orderState: String, at time: Date) {
        state.withLock { state in
            guard let index = state.orders.firstIndex(where: { $0.id == id }) else { return }
            state.orders[index].state = orderState
            state.orders[index].updated = time
        }
    }

    /// OF24 calls refused with 429 because the last one was less than the interval ago.
    package var refusedOfferImports: Int { state.withLock { $0.refusedOfferImports } }

    /// The refused lines of every import so far, in order: `shop_sku` and message.
    package var importErrors: [(sku: String, message: String)] {
        state.withLock { state in state.imports.keys.sorted().flatMap { state.imports[$0]?.errors ?? [] } }
    }

    /// Answers the `request`-th API request from now (1: the next) with `status` and `body` instead of handling it,
    /// e.g. a body that is not JSON.
    package func answerGarbage(onRequest request: Int, status: Int, body: String) {
        state.withLock { state in state.scripted.append((state.handled + request, status, body)) }
    }

    /// The scripted answer for the request being handled now, if any.
    func scriptedAnswer() -> (status: Int, body: String)? {
        state.withLock { state in
            state.handled += 1
            guard let index = state.scripted.firstIndex(where: { $0.request == state.handled }) else { return nil }
            let answer = state.scripted.remove(at: index)
            return (answer.status, answer.body)
        }
    }

    /// Lets the next OF24 call through at once, as if a minute had passed.
    package func forgetLastOfferImport() {
        state.withLock { $0.lastOfferImport = nil }
    }
}
