import Foundation
import Hummingbird
import Synchronization

/// A shop on Erli speaking the parts of the Shop API Omnistock uses. Vendor behaviours modelled, from the API
/// documentation (https://erli.pl/svc/shop-api/doc/) and its OpenAPI file
/// (https://erli.pl/svc/shop-api/doc/swagger.json, the same at the sandbox https://sandbox.erli.dev/svc/shop-api):
/// - Auth: one static API key from the seller panel, `Authorization: Bearer <key>` on every call (security scheme
///   `bearer`); anything else is refused (the answer's shape for 401 is not documented; the `Error` schema is used).
/// - `PATCH /products/{externalId}` answers `202` "zaakceptowano" (accepted) with `updatedFields`, `404` for an
///   unknown product; `PATCH /products/batch-update` takes `[{externalId, …ProductUpdate}]` and answers `200` with one
///   `{externalId, status, result: {updatedFields}, error}` per item (`ProductBatchResponse`; its example shows a
///   `202` item and a `408 BatchProcessingTimeout` item). No `maxItems` is documented for the batch: none enforced.
/// - Writes are applied asynchronously: `202` means accepted, not applied; the documentation page describes the
///   accepted value reaching reads through a cache (about twenty minutes, as integrators of the API report it; the
///   OpenAPI file says only "zaakceptowano"). Modelled by ``applyDelay``: reads show the old value until it has passed.
/// - `stock` is an integer from −2,000,000,000 to 2,000,000,000 (`ProductUpdate.stock`); anything else is refused with
///   `400` (the exact status of a validation failure is not documented per item; 400 is modelled).
/// - `frozen.stock`: a field the seller edited in the panel is locked against API/integration edits; a write to it
///   is not applied and the field is absent from `updatedFields` (left open by the docs whether the item is refused
///   instead; modelled as accepted without the field, as `updatedFields` is "the list of fields that were updated").
/// - `archived`: an archived product cannot be bought, leaves the shop panel and cannot be restored through the API.
/// - `POST /products/_search` answers a bare array; `pagination` takes `sortField` (default `externalId`), `order`,
///   `limit` 1…200 (default 50) and `after` ("sortField > after"); other limits are refused with `400`.
/// - `POST /orders/_search` answers a bare array of orders sorted by `updated` (default) with `pagination.after`
///   taking an order's `cursor`, "a Unix timestamp joined with the order id" (`\d+;\d+x\d+`) that guarantees no order
///   with an equal time is skipped; `limit` 1…200. `filter` (`OrderFilter`) is modelled for `created`/`updated`
///   compared with a date-time (the simulator's orders are created and updated at once, so both compare `updated`).
/// - Order `status` is `pending`, `purchased`, `cancelled` or `returned`; `sellerStatus` the seller's progress
///   (`created`, `readyToProcess`, `inProgress`, `sent`, `readyToPickup`, `received`, …); money in grosze.
/// - Erli takes stock when a buyer orders and does not give it back when an order is cancelled: the seller's
///   integration restores it (described for the Shop API by its integrators; not stated in the OpenAPI file).
/// - Rate limits: no quota is published; Erli answers `429` when throttling. Modelled only through injected faults.
package final class ErliSimulator: ChannelSimulator {
    /// A product as the shop holds it.
    package struct Product: Sendable, Hashable {
        /// The seller's id (Omnistock's SKU).
        package var externalId: String
        /// The stock buyers see.
        package var stock: Int
        /// The barcode, if any.
        package var ean: String?
        /// Archived by the seller: unbuyable and gone from the panel.
        package var archived = false
        /// `frozen.stock`: the seller locked the stock against API edits.
        package var frozenStock = false
    }

    /// An order.
    package struct Order: Sendable, Hashable {
        /// The order id (`261130x000001`).
        package var id: String
        /// `pending`, `purchased`, `cancelled`, `returned`.
        package var status: String
        /// The seller's progress.
        package var sellerStatus: String
        /// The lines: product and quantity.
        package var items: [Line]
        /// When it last changed (whole seconds, as the cursor carries them).
        package var updated: Date

        /// One order line.
        package struct Line: Sendable, Hashable {
            /// The product's `externalId`.
            package var externalId: String
            /// How many.
            package var quantity: Int
        }
    }

    struct Write {
        var externalId: String
        var stock: Int
        var due: Date
    }

    struct State {
        var products: [String: Product] = [:]
        var writes: [Write] = []
        var orders: [String: Order] = [:]
        var nextOrder = 0
        var rawAnswers: [String] = []
    }

    /// The shared machinery.
    package let core = SimulatorCore()
    let apiKey: String
    let state = Mutex(State())
    /// How long an accepted write takes to show in reads.
    package let applyDelay: TimeInterval

    /// Creates a shop whose API key is `apiKey`; accepted writes show after `applyDelay` seconds.
    package init(apiKey: String, applyDelay: TimeInterval = 0) {
        self.apiKey = apiKey
        self.applyDelay = applyDelay
    }

    /// Adds a product.
    package func addProduct(externalId: String, stock: Int, ean: String? = nil, archived: Bool = false, frozenStock: Bool = false) {
        state.withLock {
            $0.products[externalId] = Product(externalId: externalId, stock: stock, ean: ean, archived: archived, frozenStock: frozenStock)
        }
    }

    /// A product as reads show it now (accepted writes whose delay has passed included).
    package func product(_ externalId: String) -> Product? {
        state.withLock { state in
            Self.applyDue(&state, now: Date())
            return state.products[externalId]
        }
    }

    /// Accepted writes not visible yet.
    package var writesInProgress: Int {
        state.withLock { state in
            Self.applyDue(&state, now: Date())
            return state.writes.count
        }
    }

    /// Sets a product's stock by hand in the seller panel, which locks the field against the API (`frozen.stock`)
    /// unless `freeze` is false.
    package func editInPanel(_ externalId: String, stock: Int, freeze: Bool = true) {
        state.withLock { state in
            Self.applyDue(&state, now: Date())
            state.products[externalId]?.stock = stock
            if freeze { state.products[externalId]?.frozenStock = true }
        }
    }

    /// A buyer orders: Erli takes the stock at once; returns the order id, or nil when a product cannot sell that many.
    @discardableResult
    package func placeOrder(_ lines: [(externalId: String, quantity: Int)], status: String = "purchased", at date: Date = Date()) -> String? {
        state.withLock { state -> String? in
            Self.applyDue(&state, now: Date())
            for line in lines {
                guard let product = state.products[line.externalId], !product.archived, line.quantity > 0, product.stock >= line.quantity
                else { return nil }
            }
            for line in lines { state.products[line.externalId]?.stock -= line.quantity }
            state.nextOrder += 1
            let id = String(format: "261130x%06ld", state.nextOrder)
            state.orders[id] = Order(
                id: id, status: status, sellerStatus: "created", items: lines.map { Order.Line(externalId: $0.externalId, quantity: $0.quantity) },
                updated: Self.second(date))
            return id
        }
    }

    /// Cancels an order; Erli does not give its stock back.
    package func cancelOrder(_ id: String, at date: Date = Date()) {
        state.withLock {
            $0.orders[id]?.status = "cancelled"
            $0.orders[id]?.updated = Self.second(date)
        }
    }

    /// Sets the seller's progress of an order (`sent`, `received`, …).
    package func setSellerStatus(_ id: String, _ status: String, at date: Date = Date()) {
        state.withLock {
            $0.orders[id]?.sellerStatus = status
            $0.orders[id]?.updated = Self.second(date)
        }
    }

    /// The next API answers are `200` with these raw bodies instead (a broken or hostile peer), one each.
    package func answerRaw(_ bodies: [String]) {
        state.withLock { $0.rawAnswers += bodies }
    }

    /// Makes accepted writes whose delay has passed visible.
    static func applyDue(_ state: inout State, now: Date) {
        let due = state.writes.filter { $0.due <= now }
        guard !due.isEmpty else { return }
        state.writes.removeAll { $0.due <= now }
        for write in due where state.products[write.externalId] != nil {
            state.products[write.externalId]?.stock = write.stock
        }
    }

    /// `date` without fractions of a second.
    static func second(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
