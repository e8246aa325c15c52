import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Sync

/// One channel of the backlog phase: a simulator that enforces its vendor's documented limit, the adapter that
/// pushes to it, and the floor that limit puts under pushing a bulk change.
struct BacklogTarget {
    /// The channel kind (`shopify`, `woocommerce`, `allegro`).
    let kind: String
    let modelsLocations: Bool
    /// What the documented limit is, for the report.
    let limit: String
    let lane: LaneSettings
    let channel: any Channel
    let stop: () async -> Void
    /// Seeds the channel with `value` for each SKU and returns the external ids (listings), in order.
    let seed: ([String], Int) -> [String]
    /// The value the channel shows for a SKU, given the SKU and its external id.
    let shown: (_ sku: String, _ externalID: String) -> Int?
    /// Requests the channel received so far (level pushes and the reads they need; OAuth and order polling excluded).
    let requests: () -> Int
    /// The fewest requests that carry `changes` levels, and the fewest seconds the limit allows for them.
    let floor: (_ changes: Int) -> (requests: Int, seconds: Double?)

    /// The location whose levels the target's channel publishes.
    var location: String { Self.location(of: kind) }

    static func location(of kind: String) -> String { "bench-backlog-\(kind)" }

    /// Shopify on the Standard plan: 100 cost points a second, 10 a mutation, 250 quantities a mutation;
    /// `bucket` overrides the simulator's bucket size (its default, 20 s of restore, is not Shopify's word).
    static func shopify(client: CurlHTTPClient, bucket: Double?) async throws -> BacklogTarget {
        let plan = ShopifySimulator.Plan(restoreRate: ShopifySimulator.Plan.standard.restoreRate, bucketSize: bucket)
        let simulator = ShopifySimulator(accessToken: "shpat_bench", webhookSecret: "bench", plan: plan)
        _ = try await simulator.start()
        let location = simulator.locations[0]
        let configuration = ShopifyConfiguration(
            shopURL: simulator.baseURL, accessToken: "shpat_bench", locations: [Self.location(of: "shopify"): location])
        let batch = configuration.batchSize
        return BacklogTarget(
            kind: "shopify", modelsLocations: true,
            limit: "Standard plan: \(Int(plan.restoreRate)) points/s, bucket \(Int(plan.bucketSize)), \(batch) quantities a mutation",
            lane: LaneSettings(), channel: ShopifyChannel(configuration: configuration, client: client), stop: { await simulator.stop() },
            seed: { skus, value in
                skus.map { sku in
                    let item = simulator.addVariant(sku: sku)
                    simulator.setLevel(sku: sku, location: location, available: value)
                    return item
                }
            },
            shown: { sku, _ in simulator.level(sku: sku, location: location) },
            requests: { simulator.requests.count },
            floor: { changes in
                let mutations = (changes + batch - 1) / batch
                let points = Double(mutations * 10)
                return (mutations, max(0, points - plan.bucketSize) / plan.restoreRate)
            })
    }

    /// WooCommerce: no documented request rate limit for the REST API; 100 products a batch request.
    static func wooCommerce(client: CurlHTTPClient) async throws -> BacklogTarget {
        let simulator = WooCommerceSimulator(consumerKey: "ck_bench", consumerSecret: "cs_bench", webhookSecret: "bench")
        _ = try await simulator.start()
        let configuration = WooCommerceConfiguration(siteURL: simulator.baseURL, consumerKey: "ck_bench", consumerSecret: "cs_bench")
        let batch = configuration.batchSize
        return BacklogTarget(
            kind: "woocommerce", modelsLocations: false, limit: "\(batch) products a batch request",
            lane: LaneSettings(), channel: WooCommerceChannel(configuration: configuration, client: client), stop: { await simulator.stop() },
            seed: { skus, value in skus.map { String(simulator.addProduct(sku: $0, stock: value)) } },
            shown: { _, id in Int(id).flatMap { simulator.stock(of: $0) } },
            requests: { simulator.requests.count },
            floor: { changes in ((changes + batch - 1) / batch, nil) })
    }

    /// Allegro: 2,500 offer PATCHes a minute per seller, one offer each; the lane keeps to the adapter's
    /// ``AllegroChannel/pushRequestRate``, 2 % below it (at the limit exactly, jitter earns 429s, and a 429 without
    /// `Retry-After` pauses the lane 30 s).
    static func allegro(client: CurlHTTPClient) async throws -> BacklogTarget {
        let simulator = AllegroSimulator(clientID: "bench", clientSecret: "bench", refreshToken: "refresh-bench")
        _ = try await simulator.start()
        let perSecond = AllegroSimulator.patchesPerMinute / 60
        return BacklogTarget(
            kind: "allegro", modelsLocations: false, limit: "\(Int(AllegroSimulator.patchesPerMinute)) offer PATCHes/min per seller",
            lane: LaneSettings(concurrency: 4),
            channel: AllegroChannel(
                configuration: AllegroConfiguration(
                    apiURL: simulator.baseURL, tokenURL: simulator.baseURL + "/auth/oauth/token", clientID: "bench", clientSecret: "bench",
                    refreshToken: "refresh-bench"), client: client),
            stop: { await simulator.stop() },
            seed: { skus, value in
                skus.enumerated().map { index, sku in
                    simulator.addOffer(id: "offer-\(index)", sku: sku, available: value)
                    return "offer-\(index)"
                }
            },
            shown: { _, offer in simulator.offer(offer)?.available },
            requests: { simulator.requests.filter { !$0.path.hasPrefix("/auth/") && !$0.path.hasPrefix("/order/") }.count },
            // The simulator's bucket holds one second of the rate (see AllegroSimulator).
            floor: { changes in (changes, max(0, Double(changes) - max(1, perSecond)) / perSecond) })
    }
}
