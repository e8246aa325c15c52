import Foundation
import Hummingbird
import Synchronization

/// A seller account speaking the parts of Allegro's REST API Omnistock uses. Vendor behaviours modelled, from
/// the REST API reference (https://developer.allegro.pl/documentation, generated from Allegro's OpenAPI file)
/// and the guides it links:
/// - OAuth: the refresh-token grant at `/auth/oauth/token` with the client id and secret as Basic auth; every
///   refresh issues a new refresh token and the used one stops working. https://developer.allegro.pl/auth/
/// - Bearer token and `Accept`/`Content-Type: application/vnd.allegro.public.v1+json` on every call (406/415 otherwise).
///   https://developer.allegro.pl/documentation (Basic information: media types)
/// - `PATCH /sale/product-offers/{offerId}` with `stock.available` answers the whole offer, including
///   `publication.status` and `publication.endedBy` (operation "Edit an offer", response `SaleProductOfferResponseV1`).
///   `GET /sale/product-offers/{offerId}` answers the same offer ("Get all data of the particular product-offer").
/// - Setting `stock.available` to 0 on an `ACTIVE` or `ACTIVATING` offer changes its status to `ENDED`; an offer
///   can be activated only with stock greater than 0 (schema `Stock.available`). Left open by the docs: which
///   `endedBy` that gives; modelled as `EMPTY_STOCK`, as when buyers take the last unit.
/// - Allegro ends an offer itself when buyers take its last unit: `ENDED` with `endedBy: EMPTY_STOCK` ("offer ended
///   because all available items had been sold out"); `USER` is an offer the seller ended, `ADMIN` one an
///   administrator ended, `EXPIRATION` one whose duration ran out (schema `SaleProductOfferPublicationResponse.endedBy`).
/// - A stock change on an `ENDED` offer does not publish it again; only an `ACTIVATE` publication command does
///   (`PUT /sale/offer-publication-commands/{commandId}`, "Batch offer publish / unpublish"); `END` ends an offer as
///   the seller (`endedBy: USER`). A command id is the client's UUID: repeating one changes nothing.
/// - `GET /sale/offers` lists offers with `publication.status` but no `endedBy` (response `OfferListingDto`),
///   paged with `limit`/`offset` and `totalCount`.
/// - `PATCH /sale/product-offers/{offerId}` is limited to 2,500 requests a minute per seller (not per application);
///   beyond it Allegro answers `429 Too Many Requests`:
///   https://developer.allegro.pl/news/22-pazdziernika-2024-wprowadzimy-dodatkowy-limit-na-zasobie-sale-product-offers-offerid-AgjRKzx1luB.
///   Per-user limits are a leaky bucket (https://developer.allegro.pl/en/faq/, "Limits and restrictions"). Left open
///   by the docs, chosen here: the bucket holds one second of the rate (stricter than a minute's), and the 429 carries
///   no `Retry-After`.
/// - `GET /order/events?from=&limit=` is the order-events feed (`BOUGHT`, `FILLED_IN`, `READY_FOR_PROCESSING`,
///   `BUYER_CANCELLED`, `FULFILLMENT_STATUS_CHANGED`, …) and `GET /order/checkout-forms/{id}` the order with its
///   fulfilment status (operations "Get order events" and "Get an order's details").
package final class AllegroSimulator: ChannelSimulator {
    /// An offer.
    package struct Offer: Sendable, Hashable {
        /// The offer id.
        package var id: String
        /// The seller's SKU (`external.id`).
        package var sku: String
        /// `stock.available`.
        package var available: Int
        /// `ACTIVE`, `ACTIVATING`, `ENDED`, `INACTIVE`.
        package var status: String
        /// Why an `ENDED` offer ended: `USER`, `ADMIN`, `EXPIRATION`, `EMPTY_STOCK`, `PRODUCT_DETACHMENT`, `ERROR`.
        package var endedBy: String?
    }

    struct Event {
        var id: String
        var type: String
        var checkoutForm: String
        var lines: [(offer: String, quantity: Int)]
        var occurredAt: Date
    }

    struct State {
        var offers: [String: Offer] = [:]
        var events: [Event] = []
        var fulfillment: [String: String] = [:]
        var commands: [String: (action: String, offers: [String])] = [:]
        var accessTokens: Set<String> = []
        var refreshToken: String
        var nextID = 1000
        var patchBucket: CostBucket
        var refusedPatches = 0
    }

    /// The shared machinery.
    package let core = SimulatorCore()
    let clientAuthorization: String
    let state: Mutex<State>

    /// Allegro's JSON media type.
    static let mediaType = "application/vnd.allegro.public.v1+json"

    /// The documented limit of `PATCH /sale/product-offers/{offerId}` per seller.
    package static let patchesPerMinute = 2500.0

    /// Creates an account whose OAuth client is `clientID`/`clientSecret` and whose current refresh token is `refreshToken`;
    /// `patchesPerMinute` lowers the seller's offer PATCH limit for tests that must hit it quickly.
    package init(clientID: String, clientSecret: String, refreshToken: String, patchesPerMinute: Double = AllegroSimulator.patchesPerMinute) {
        clientAuthorization = "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
        let perSecond = patchesPerMinute / 60
        state = Mutex(State(refreshToken: refreshToken, patchBucket: CostBucket(capacity: max(1, perSecond), restoreRate: perSecond)))
    }

    /// Offer PATCHes refused with 429 because the seller's limit was spent.
    package var refusedPatches: Int { state.withLock { $0.refusedPatches } }

    /// Adds an offer (`endedBy` for an `ENDED` one: `USER` unless said otherwise).
    package func addOffer(id: String, sku: String, available: Int, status: String = "ACTIVE", endedBy: String? = nil) {
        state.withLock {
            $0.offers[id] = Offer(id: id, sku: sku, available: available, status: status, endedBy: status == "ENDED" ? endedBy ?? "USER" : nil)
        }
    }

    /// An offer's current state.
    package func offer(_ id: String) -> Offer? {
        state.withLock { $0.offers[id] }
    }

    /// Sets an offer's stock by hand (an edit in the seller panel), with Allegro's rule for 0.
    package func setStock(offer id: String, available: Int) {
        state.withLock { state in
            guard var offer = state.offers[id] else { return }
            Self.setStock(&offer, to: available)
            state.offers[id] = offer
        }
    }

    /// Ends an offer as the seller does in the seller panel (`endedBy: USER`), or as `reason` says (`ADMIN`, `EXPIRATION`).
    package func endOffer(_ id: String, by reason: String = "USER") {
        state.withLock { state in
            state.offers[id]?.status = "ENDED"
            state.offers[id]?.endedBy = reason
        }
    }

    /// A buyer buys `quantity` units: the stock drops (Allegro ends the offer with `EMPTY_STOCK` when it reaches 0)
    /// and a `BOUGHT` order event is added; returns the event id, or nil when the offer cannot sell that many.
    @discardableResult
    package func sell(offer id: String, quantity: Int, checkoutForm: String, at date: Date = Date()) -> String? {
        state.withLock { state -> String? in
            guard var offer = state.offers[id], offer.status == "ACTIVE", quantity > 0, offer.available >= quantity else { return nil }
            Self.setStock(&offer, to: offer.available - quantity)
            state.offers[id] = offer
            state.nextID += 1
            state.events.append(
                Event(id: String(state.nextID), type: "BOUGHT", checkoutForm: checkoutForm, lines: [(id, quantity)], occurredAt: date))
            return String(state.nextID)
        }
    }

    /// `stock.available` = `available`; at 0 an `ACTIVE` or `ACTIVATING` offer ends (schema `Stock.available`).
    static func setStock(_ offer: inout Offer, to available: Int) {
        offer.available = available
        if available == 0, ["ACTIVE", "ACTIVATING"].contains(offer.status) {
            offer.status = "ENDED"
            offer.endedBy = "EMPTY_STOCK"
        }
    }

    /// Publication commands received: command id → action and offer ids.
    package var publicationCommands: [String: (action: String, offers: [String])] {
        state.withLock { $0.commands }
    }

    /// Appends an order event (`BOUGHT`, `FILLED_IN`, `READY_FOR_PROCESSING`, `BUYER_CANCELLED`,
    /// `FULFILLMENT_STATUS_CHANGED`, …) and returns its id.
    @discardableResult
    package func addOrderEvent(type: String, checkoutForm: String, lines: [(offer: String, quantity: Int)] = [], at date: Date = Date()) -> String {
        state.withLock { state in
            state.nextID += 1
            let id = String(state.nextID)
            state.events.append(Event(id: id, type: type, checkoutForm: checkoutForm, lines: lines, occurredAt: date))
            return id
        }
    }

    /// Sets a checkout form's fulfillment status (`NEW`, `PROCESSING`, `SENT`, `PICKED_UP`, …).
    package func setFulfillment(checkoutForm: String, status: String) {
        state.withLock { $0.fulfillment[checkoutForm] = status }
    }

    /// Invalidates every access token (the next call answers 401 until the client refreshes).
    package func expireAccessTokens() {
        state.withLock { $0.accessTokens.removeAll() }
    }

    /// The refresh token the account currently accepts (rotated on every refresh).
    package var currentRefreshToken: String {
        state.withLock { $0.refreshToken }
    }
}
