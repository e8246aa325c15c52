import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Ledger
import Synchronization

/// One channel of the sales day: a simulator that behaves as its vendor does (its documented rate limit, its own
/// stock count that its sales take from, its order feed), the adapter Omnistock pushes through, and the buyer's
/// side: what the channel shows now and a purchase made against that.
struct SalesDayShop: Sendable {
    let counter: SalesDayCounter
    let code: String
    let location: String
    let channel: any Channel
    /// How the channel's orders reach Omnistock.
    let feed: String
    /// The value the channel shows a buyer for a SKU now (its own, lagged view).
    let shows: @Sendable (String) -> Int
    /// A buyer orders `quantity` of a SKU, as the channel sells: false when the channel refuses (it shows fewer).
    /// An accepted order reaches Omnistock the channel's way: `deliver` sends its webhook, or the channel's
    /// order feed has it.
    let buy: @Sendable (_ sku: String, _ quantity: Int, _ order: String) -> (accepted: Bool, deliver: Delivery?)

    typealias Delivery = @Sendable () async -> Void
    /// Puts `units` of each SKU in the channel's catalogue and returns the listings (SKU → external id) Omnistock needs.
    let seed: @Sendable ([(sku: String, units: Int)]) -> [String: String]
    let stop: @Sendable () async -> Void

    /// Where the simulators deliver webhooks: the in-process server's address, known once it listens.
    final class WebhookAddress: Sendable {
        private let base = Mutex("")
        func set(port: Int) { base.withLock { $0 = "http://127.0.0.1:\(port)/webhooks/" } }
        func url(_ code: String) -> String { base.withLock { $0 } + code }
    }

    /// Shopify on the Standard plan (100 cost points a second): orders take the location's `available` and arrive
    /// as signed `orders/create` webhooks.
    static func webshop(code: String, location: String, client: CurlHTTPClient, webhooks: WebhookAddress) async throws -> SalesDayShop {
        let secret = "sales-day-shopify"
        let simulator = ShopifySimulator(accessToken: "shpat_day", webhookSecret: secret, plan: .standard)
        _ = try await simulator.start()
        let gid = simulator.locations[0]
        let channel = ShopifyChannel(
            configuration: ShopifyConfiguration(
                shopURL: simulator.baseURL, accessToken: "shpat_day", webhookSecrets: [secret], locations: [location: gid]), client: client)
        return SalesDayShop(
            counter: .webshop, code: code, location: location, channel: channel, feed: "webhook",
            shows: { max(0, simulator.level(sku: $0, location: gid) ?? 0) },
            buy: { sku, quantity, _ in
                guard (simulator.level(sku: sku, location: gid) ?? 0) >= quantity else { return (false, nil) }
                let order = simulator.addOrder(lines: [(sku, quantity)], location: gid)
                return (
                    true,
                    { _ = try? await simulator.sendWebhook(topic: "orders/create", payload: simulator.orderPayload(order), to: webhooks.url(code)) }
                )
            },
            seed: { stock in
                stock.reduce(into: [:]) { listings, item in
                    listings[item.sku] = simulator.addVariant(sku: item.sku)
                    simulator.setLevel(sku: item.sku, location: gid, available: item.units)
                }
            },
            stop: { await simulator.stop() })
    }

    /// WooCommerce: a paid order takes the product's stock; signed `order.created` webhooks.
    static func woocommerce(code: String, location: String, client: CurlHTTPClient, webhooks: WebhookAddress) async throws -> SalesDayShop {
        let secret = "sales-day-woo"
        let simulator = WooCommerceSimulator(consumerKey: "ck_day", consumerSecret: "cs_day", webhookSecret: secret)
        _ = try await simulator.start()
        let channel = WooCommerceChannel(
            configuration: WooCommerceConfiguration(
                siteURL: simulator.baseURL, consumerKey: "ck_day", consumerSecret: "cs_day", webhookSecrets: [secret]),
            client: client)
        let ids = Mutex([String: Int]())
        return SalesDayShop(
            counter: .woocommerce, code: code, location: location, channel: channel, feed: "webhook",
            shows: { sku in ids.withLock { $0[sku] }.flatMap { simulator.stock(of: $0) }.map { max(0, $0) } ?? 0 },
            buy: { sku, quantity, _ in
                guard let order = simulator.checkout(lines: [(sku, quantity)]) else { return (false, nil) }
                return (
                    true,
                    { _ = try? await simulator.sendWebhook(topic: "order.created", payload: simulator.orderPayload(order), to: webhooks.url(code)) }
                )
            },
            seed: { stock in
                stock.reduce(into: [:]) { listings, item in
                    let id = simulator.addProduct(sku: item.sku, stock: item.units)
                    ids.withLock { $0[item.sku] = id }
                    listings[item.sku] = String(id)
                }
            },
            stop: { await simulator.stop() })
    }

    /// Allegro: 2,500 offer PATCHes a minute per seller; a purchase takes the offer's stock (ending it at 0) and
    /// adds a `BOUGHT` event to the order event feed, which Omnistock polls.
    static func allegro(code: String, location: String, client: CurlHTTPClient) async throws -> SalesDayShop {
        let simulator = AllegroSimulator(clientID: "day", clientSecret: "day", refreshToken: "refresh-day")
        _ = try await simulator.start()
        let channel = AllegroChannel(
            configuration: AllegroConfiguration(
                apiURL: simulator.baseURL, tokenURL: simulator.baseURL + "/auth/oauth/token", clientID: "day", clientSecret: "day",
                refreshToken: "refresh-day"), client: client)
        let offers = Mutex([String: String]())
        return SalesDayShop(
            counter: .allegro, code: code, location: location, channel: channel, feed: "event feed, polled",
            shows: { sku in
                guard let offer = offers.withLock({ $0[sku] }).flatMap(simulator.offer), offer.status == "ACTIVE" else { return 0 }
                return max(0, offer.available)
            },
            buy: { sku, quantity, order in
                guard let offer = offers.withLock({ $0[sku] }) else { return (false, nil) }
                return (simulator.sell(offer: offer, quantity: quantity, checkoutForm: order) != nil, nil)
            },
            seed: { stock in
                stock.enumerated().reduce(into: [:]) { listings, entry in
                    let offer = String(7_000_000_000 + entry.offset)
                    simulator.addOffer(id: offer, sku: entry.element.sku, available: entry.element.units)
                    offers.withLock { $0[entry.element.sku] = offer }
                    listings[entry.element.sku] = offer
                }
            },
            stop: { await simulator.stop() })
    }

    /// Erli: stock writes are accepted at once and shown `visibilityDelay` seconds later; orders take the stock at
    /// once and are read with `POST /orders/_search`, which Omnistock polls.
    static func erli(code: String, location: String, visibilityDelay: Double, client: CurlHTTPClient) async throws -> SalesDayShop {
        let simulator = ErliSimulator(apiKey: "erli-day", applyDelay: visibilityDelay)
        _ = try await simulator.start()
        let channel = ErliChannel(configuration: ErliConfiguration(apiURL: simulator.baseURL, apiKey: "erli-day"), client: client)
        return SalesDayShop(
            counter: .erli, code: code, location: location, channel: channel, feed: "orders search, polled",
            shows: { max(0, simulator.product($0)?.stock ?? 0) },
            buy: { sku, quantity, _ in (simulator.placeOrder([(sku, quantity)]) != nil, nil) },
            seed: { stock in
                stock.reduce(into: [:]) { listings, item in
                    simulator.addProduct(externalId: item.sku, stock: item.units)
                    listings[item.sku] = item.sku
                }
            },
            stop: { await simulator.stop() })
    }

    /// The store's click-and-collect page (omnistock-json): it shows what Omnistock pushed for the store and sends
    /// each pickup order as a signed `order.created` webhook.
    static func clickAndCollect(code: String, store: String, client: CurlHTTPClient, webhooks: WebhookAddress) async throws -> SalesDayShop {
        let secret = "whsec_" + Data("sales-day-click-and-collect".utf8).base64EncodedString()
        let simulator = OmnistockJSONSimulator(token: "store-day", webhookSecret: secret)
        _ = try await simulator.start()
        let channel = OmnistockJSONChannel(
            configuration: OmnistockJSONConfiguration(baseURL: simulator.baseURL, token: "store-day", webhookSecrets: [secret]), client: client)
        return SalesDayShop(
            counter: .clickAndCollect, code: code, location: store, channel: channel, feed: "webhook",
            shows: { max(0, simulator.level(sku: $0, location: store)?.available ?? 0) },
            buy: { sku, quantity, order in
                guard (simulator.level(sku: sku, location: store)?.available ?? 0) >= quantity else { return (false, nil) }
                return (true, { _ = try? await simulator.addOrder(order, lines: [(sku, quantity)], pickupLocation: store, to: webhooks.url(code)) })
            },
            seed: { stock in
                for item in stock { simulator.setLevel(sku: item.sku, location: store, available: item.units) }
                return [:]
            },
            stop: { await simulator.stop() })
    }
}
