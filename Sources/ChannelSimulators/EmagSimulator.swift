import Foundation
import Hummingbird
import Synchronization

/// A seller account speaking the parts of eMAG Marketplace API `api-3` Omnistock uses. Sources: the eMAG Marketplace
/// API documentation (v4.x PDF, linked from
/// https://marketplace.emag.ro/infocenter/emag-academy/product-import-through-api-or-feeds/api-documentation/?lang=en;
/// copies of its sections at https://www.scribd.com/document/680003369/EMAG-Marketplace-API-Documentation-v4-4-6 and
/// https://www.scribd.com/document/854363632/Documentatie-API-emag-marketplace) and the public reference at
/// https://marketplace.emag.ro/documentation/api/external. Behaviours modelled:
/// - Every call is `POST {MARKETPLACE_API_URL}/{resource}/{action}` with a JSON body and HTTP Basic auth with the API
///   user's username and password; a user without API rights (or wrong credentials) gets HTTP 403 with
///   `{"isError": true, "messages": ["You are not allowed to use this API."]}` (the `offer_stock` answers, quoted at
///   https://www.msb.ro/prestashop/update-stoc-emag-prin-api/).
/// - Every answer is `{"isError", "messages", "results"}`; a refused save is HTTP 200 with `isError: true` (section
///   "Response"). Which offers of a refused batch were applied is left open by the docs: here none are.
/// - Rate limiting: 12 requests a second to the order routes, 3 a second to all other resources together; beyond
///   that HTTP 429 with `X-RateLimit-Limit-3second`/`X-RateLimit-Remaining-3second` and no `Retry-After` (section
///   "Rate limiting"). Save requests take at most 50 entities (same section); `itemsPerPage` at most 100
///   (section "Pagination and filters").
/// - `offer/save` (Light Offer API, v4.4.9): updates existing offers only, `id` mandatory, `stock` a list of
///   `{warehouse_id, value}`. An offer in an active campaign keeps its stock: "The offer is included in the active
///   campaign …, thus the stock has NOT been changed." (the `offer_stock` flow validation, msb.ro page above).
/// - `product_offer/read`: the seller's offers with `id` (the seller's product id, the offer's key), `part_number`,
///   `ean` (a list), `status`, `stock` per warehouse and `general_stock` (their sum, lowered as orders come in).
/// - `order/read` with `modifiedAfter` (`YYYY-mm-dd HH:ii:ss`, the platform's clock), paging; statuses 0 cancelled,
///   1 new, 2 in progress, 3 prepared, 4 finalized, 5 returned (section "Processing orders"); products carry
///   `product_id`, `part_number`, `quantity` and `status` (0 when removed from the order).
package final class EmagSimulator: ChannelSimulator {
    /// An offer of the seller.
    package struct Offer: Sendable {
        /// The seller's product id.
        package var id: Int
        /// The seller's part number.
        package var partNumber: String
        /// The barcodes.
        package var eans: [String]
        /// Stock per warehouse id.
        package var stock: [Int: Int]
        /// Whether it is in an active campaign (its stock cannot be changed).
        package var inCampaign = false
    }

    /// An order.
    package struct Order: Sendable {
        /// The order id.
        package var id: Int
        /// 0 cancelled, 1 new, 2 in progress, 3 prepared, 4 finalized, 5 returned.
        package var status: Int
        /// The products: offer id, part number, quantity, and 0 when removed from the order.
        package var products: [(productID: Int, partNumber: String, quantity: Int, status: Int)]
        /// `YYYY-mm-dd HH:ii:ss`, the last change.
        package var modified: String

        /// Creates an order.
        package init(id: Int, status: Int, products: [(productID: Int, partNumber: String, quantity: Int, status: Int)], modified: String) {
            self.id = id
            self.status = status
            self.products = products
            self.modified = modified
        }
    }

    struct State {
        var offers: [Int: Offer] = [:]
        var orders: [Int: Order] = [:]
        var recent: [String: [ContinuousClock.Instant]] = [:]
        var rawAnswers: [[UInt8]] = []
    }

    /// The shared machinery.
    package let core = SimulatorCore()
    let authorization: String
    let state = Mutex(State())
    /// Whether requests beyond the documented rates get 429.
    package let enforcesRateLimits: Bool

    /// Creates an account accepting Basic auth with the API user's username and password.
    package init(username: String, password: String, enforcesRateLimits: Bool = true) {
        authorization = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        self.enforcesRateLimits = enforcesRateLimits
    }

    /// Adds an offer with `stock` in warehouse 1.
    package func addOffer(id: Int, partNumber: String, eans: [String] = [], stock: Int = 0) {
        state.withLock { $0.offers[id] = Offer(id: id, partNumber: partNumber, eans: eans, stock: [1: stock]) }
    }

    /// Puts an offer in an active campaign, or takes it out.
    package func setInCampaign(_ id: Int, _ value: Bool) {
        state.withLock { $0.offers[id]?.inCampaign = value }
    }

    /// An offer's stock in `warehouse`.
    package func stock(of id: Int, warehouse: Int = 1) -> Int? {
        state.withLock { $0.offers[id]?.stock[warehouse] }
    }

    /// Places or changes an order; a new order takes its products from warehouse 1, as eMAG lowers `general_stock`.
    package func putOrder(_ order: Order) {
        state.withLock { state in
            if state.orders[order.id] == nil {
                for product in order.products where product.status != 0 {
                    state.offers[product.productID]?.stock[1, default: 0] -= product.quantity
                }
            }
            state.orders[order.id] = order
        }
    }

    /// Answers the next API request with this raw body (HTTP 200), whatever it asks: a vendor answer gone wrong.
    package func answerNext(with body: String) {
        state.withLock { $0.rawAnswers.append(Array(body.utf8)) }
    }
}
