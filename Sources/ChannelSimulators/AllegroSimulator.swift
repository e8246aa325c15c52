import Foundation
import Hummingbird
import Synchronization

/// A seller account speaking the parts of Allegro's REST API Omnistock uses: offer stock
/// (`PATCH /sale/product-offers/{id}`, refused at 0 for an active offer), publication commands
/// (`END`/`ACTIVATE`), the offer listing, the order-events feed, checkout forms, and the OAuth
/// refresh-token grant at `/auth/oauth/token`.
public final class AllegroSimulator: ChannelSimulator {
    /// An offer.
    public struct Offer: Sendable, Hashable {
        /// The offer id.
        public var id: String
        /// The seller's SKU (`external.id`).
        public var sku: String
        /// `stock.available`.
        public var available: Int
        /// `ACTIVE`, `ENDED`, `INACTIVE`.
        public var status: String
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
    }

    /// The shared machinery.
    public let core = SimulatorCore()
    let clientAuthorization: String
    let state: Mutex<State>

    /// Allegro's JSON media type.
    static let mediaType = "application/vnd.allegro.public.v1+json"

    /// Creates an account whose OAuth client is `clientID`/`clientSecret` and whose current refresh token is `refreshToken`.
    public init(clientID: String, clientSecret: String, refreshToken: String) {
        clientAuthorization = "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
        state = Mutex(State(refreshToken: refreshToken))
    }

    /// Adds an offer.
    public func addOffer(id: String, sku: String, available: Int, status: String = "ACTIVE") {
        state.withLock { $0.offers[id] = Offer(id: id, sku: sku, available: available, status: status) }
    }

    /// An offer's current state.
    public func offer(_ id: String) -> Offer? {
        state.withLock { $0.offers[id] }
    }

    /// Sets an offer's stock by hand (an edit in the seller panel).
    public func setStock(offer id: String, available: Int) {
        state.withLock { $0.offers[id]?.available = available }
    }

    /// Publication commands received: command id → action and offer ids.
    public var publicationCommands: [String: (action: String, offers: [String])] {
        state.withLock { $0.commands }
    }

    /// Appends an order event (`BOUGHT`, `FILLED_IN`, `READY_FOR_PROCESSING`, `BUYER_CANCELLED`,
    /// `FULFILLMENT_STATUS_CHANGED`, …) and returns its id.
    @discardableResult
    public func addOrderEvent(type: String, checkoutForm: String, lines: [(offer: String, quantity: Int)] = [], at date: Date = Date()) -> String {
        state.withLock { state in
            state.nextID += 1
            let id = String(state.nextID)
            state.events.append(Event(id: id, type: type, checkoutForm: checkoutForm, lines: lines, occurredAt: date))
            return id
        }
    }

    /// Sets a checkout form's fulfillment status (`NEW`, `PROCESSING`, `SENT`, `PICKED_UP`, …).
    public func setFulfillment(checkoutForm: String, status: String) {
        state.withLock { $0.fulfillment[checkoutForm] = status }
    }

    /// Invalidates every access token (the next call answers 401 until the client refreshes).
    public func expireAccessTokens() {
        state.withLock { $0.accessTokens.removeAll() }
    }

    /// The refresh token the account currently accepts (rotated on every refresh).
    public var currentRefreshToken: String {
        state.withLock { $0.refreshToken }
    }
}
