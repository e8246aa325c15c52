import Foundation
import HTTPTypes

/// One sales channel: pushes levels, reads levels and orders back for reconcile, and turns its
/// webhooks into ``NormalizedEvent``s. This is the vocabulary the worker, reconcile and the server speak; the
/// adapters (module `Channels`) implement it, and what a kind can do is data (``capabilities``), never a kind
/// compared by name. Webhook headers are swift-http-types' `HTTPFields`, as the server receives them.
package protocol Channel: Sendable {
    /// The channel kind as written in config (`shopify`, `woocommerce`, `allegro`, `omnistock-json`): a name for
    /// config, logs and the `channels` row; decisions go by ``capabilities``.
    static var kind: String { get }

    /// What every channel of this kind can do, declared by the adapter.
    static var capabilities: ChannelCapabilities { get }

    /// Whether values are per location (`true`) or one pooled value per SKU (`false`).
    var modelsLocations: Bool { get }

    /// What reconcile does with a listing whose stock the channel does not track (``ChannelLevelSnapshot/tracksStock``).
    var untrackedStock: UntrackedStockPolicy { get }

    /// The most levels one push request carries, within the vendor's documented limit: push lanes claim no more
    /// at a time, so the backlog goes out in the largest batches the API takes (DESIGN.md §7, decreases first).
    var largestBatch: Int { get }

    /// Push requests a second the vendor documents per account, a little under the limit, when there is such a limit
    /// and one push request carries one level; a lane without a configured `rate_limit` keeps to it (a 429 would pause it).
    var pushRequestRate: Double? { get }

    /// The shortest pause between two reads of the channel's orders the vendor allows (seconds), for kinds that poll
    /// them (``ChannelCapabilities/pollsOrders``); the order poll waits at least this long between reads.
    var shortestOrderPollInterval: Double { get }

    /// Publishes levels, batching where the API allows; never throws: every level gets an outcome.
    func pushLevels(_ levels: [ChannelLevel]) async -> PushResult

    /// Reads one page of the levels the channel shows; start with `cursor: nil`.
    func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot>

    /// Reads orders changed since `cursor` (nil: from the channel's beginning or a default window) as events.
    func fetchOrders(since cursor: String?) async throws(ChannelError) -> Page<NormalizedEvent>

    /// The catalogue items whose key under `match` (SKU or barcode) is one of `keys`, every one of them:
    /// two items carrying one key are both returned (the caller reports them, never picks one).
    func catalogueItems(matching keys: Set<String>, by match: ListingMatch) async throws(ChannelError) -> [ChannelItem]

    /// Holds stock for an order at a store (only channels that hold reservations).
    func pushReservation(_ reservation: ChannelReservation) async -> PushOutcome

    /// Releases a reservation (only channels that hold reservations); an unknown id counts as done.
    func cancelReservation(id: String) async -> PushOutcome

    /// Checks a webhook's signature (and timestamp, where the scheme has one) against the configured secrets.
    func verifyWebhook(headers: HTTPFields, body: [UInt8], now: Date) -> WebhookVerdict

    /// Turns a verified webhook into events (none for pings and topics that change no stock).
    func parseWebhook(headers: HTTPFields, body: [UInt8]) throws(ChannelError) -> [NormalizedEvent]
}

extension Channel {
    /// What this channel's kind can do (``Channel/capabilities``).
    package var capabilities: ChannelCapabilities { Self.capabilities }

    /// Per location or pooled, as the kind declares (``ChannelCapabilities/modelsLocations``).
    package var modelsLocations: Bool { Self.capabilities.modelsLocations }

    /// No documented per-request limit the lane must keep to (Shopify's cost bucket is kept by the adapter).
    package var pushRequestRate: Double? { nil }

    /// No documented limit on how often the orders may be read.
    package var shortestOrderPollInterval: Double { 0 }

    /// Channels that always track stock: pushing again is all there is to do.
    package var untrackedStock: UntrackedStockPolicy { .enable }

    /// Every item of the channel's catalogue, once each, from its listing read (``fetchLevels(cursor:)``, all pages).
    package func readCatalogue() async throws(ChannelError) -> [ChannelItem] {
        var items: [ChannelItem] = []
        var seen: Set<String> = []
        var cursor: String?
        repeat {
            let page = try await fetchLevels(cursor: cursor)
            for snapshot in page.items {
                if let id = snapshot.externalID, seen.insert(id).inserted {
                    items.append(ChannelItem(externalID: id, sku: snapshot.sku, barcode: snapshot.barcode))
                }
            }
            cursor = page.hasMore ? page.nextCursor : nil
        } while cursor != nil
        return items
    }

    /// Filters ``readCatalogue()`` by key: channels without a search by SKU or barcode.
    package func catalogueItems(matching keys: Set<String>, by match: ListingMatch) async throws(ChannelError) -> [ChannelItem] {
        try await readCatalogue().filter { item in match.key(of: item).map(keys.contains) ?? false }
    }

    /// The channel's id (listing) of each SKU that exactly one item carries; SKUs not found, or found on more
    /// than one item, are absent.
    package func discoverListings(skus: [String]) async throws(ChannelError) -> [String: String] {
        let items = try await catalogueItems(matching: Set(skus), by: .sku)
        let bySKU = Dictionary(grouping: items) { $0.sku ?? "" }
        return bySKU.compactMapValues { $0.count == 1 ? $0[0].externalID : nil }
    }

    /// Channels without reservations refuse them for good.
    package func pushReservation(_ reservation: ChannelReservation) async -> PushOutcome {
        .permanent("\(Self.kind) does not hold reservations")
    }

    /// Channels without reservations refuse them for good.
    package func cancelReservation(id: String) async -> PushOutcome {
        .permanent("\(Self.kind) does not hold reservations")
    }
}

/// Stock held at a store for an order (pickup), as pushed to channels that hold reservations.
package struct ChannelReservation: Sendable, Hashable {
    /// Omnistock's reservation id (idempotency key at the channel).
    package var id: String
    /// The SKU held.
    package var sku: String
    /// The Omnistock location code where it is held.
    package var location: String
    /// How many units.
    package var quantity: Int
    /// The order reference.
    package var order: String
    /// The code of the channel the order came from.
    package var channel: String
    /// When the hold lapses.
    package var expiresAt: Date

    /// Creates a reservation.
    package init(id: String, sku: String, location: String, quantity: Int, order: String, channel: String, expiresAt: Date) {
        self.id = id
        self.sku = sku
        self.location = location
        self.quantity = quantity
        self.order = order
        self.channel = channel
        self.expiresAt = expiresAt
    }
}

/// The result of checking a webhook.
package enum WebhookVerdict: Sendable, Hashable {
    /// Signed with one of the configured secrets (and fresh, where the scheme dates it).
    case verified
    /// An unsigned set-up ping the channel sends when a webhook is created: answer 200, store nothing.
    case ping
    /// Not accepted: answer 401 without detail; the reason is for logs.
    case rejected(String)
}
