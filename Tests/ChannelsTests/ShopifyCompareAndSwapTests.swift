import ChannelSimulators
import ChannelVocabulary
import Channels
import Foundation
import Testing

/// Issue 12, item 1: Shopify's own sales commit units, so the next `inventorySetQuantities` with
/// `changeFromQuantity` = the value last pushed is `CHANGE_FROM_QUANTITY_STALE`.
@Suite("shopify compare-and-swap after Shopify-side sales")
struct ShopifyCompareAndSwapTests {
    static let location = "gid://shopify/Location/1"

    func channel(_ simulator: ShopifySimulator) -> ShopifyChannel {
        ShopifyChannel(
            configuration: ShopifyConfiguration(
                shopURL: simulator.baseURL, accessToken: "shpat_1", locations: ["wh-main": Self.location]
            ), client: sharedClient)
    }

    /// The `inventorySetQuantities` requests received: idempotency key and the quantities sent.
    func mutations(_ simulator: ShopifySimulator) -> [(key: String, quantities: [[String: Any]])] {
        simulator.requests.compactMap { request in
            guard let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
                (body["query"] as? String)?.contains("inventorySetQuantities") == true,
                let variables = body["variables"] as? [String: Any]
            else { return nil }
            return (variables["key"] as? String ?? "", (variables["input"] as? [String: Any])?["quantities"] as? [[String: Any]] ?? [])
        }
    }

    @Test("after a Shopify sale the push re-reads available and sets the ledger's value under a new key")
    func saleAtShopify() async throws {
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: "s")) { simulator in
            let mug = simulator.addVariant(sku: "MUG")
            let other = simulator.addVariant(sku: "CUP")
            simulator.setLevel(sku: "MUG", location: Self.location, available: 10)
            simulator.setLevel(sku: "CUP", location: Self.location, available: 4)
            simulator.addOrder(lines: [("MUG", 2)], location: Self.location)
            #expect(simulator.level(sku: "MUG", location: Self.location) == 8)
            #expect(simulator.committed(sku: "MUG", location: Self.location) == 2)
            // The ledger has taken the Shopify order and one more sale elsewhere: it wants 7 (we last pushed 10).
            let result = await channel(simulator).pushLevels([
                ChannelLevel(sku: "MUG", location: "wh-main", value: 7, version: 9, previousValue: 10, externalID: mug),
                ChannelLevel(sku: "CUP", location: "wh-main", value: 3, version: 9, previousValue: 4, externalID: other),
            ])
            #expect(result.outcomes == [.ok, .ok])
            #expect(simulator.level(sku: "MUG", location: Self.location) == 7)
            #expect(simulator.level(sku: "CUP", location: Self.location) == 3)
            let sent = mutations(simulator)
            #expect(sent.count == 2)
            #expect(Set(sent.map(\.key)).count == sent.count, "a refused request's idempotency key was used again")
            #expect(sent.last?.quantities.first?["changeFromQuantity"] as? Int == 8)
            #expect(result.compareAndSetRetries == 1)
        }
    }

    @Test("a push that stays stale ends as a conflict carrying the value read, after three requests with distinct keys")
    func bounded() async throws {
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: "s")) { simulator in
            let mug = simulator.addVariant(sku: "MUG")
            simulator.setLevel(sku: "MUG", location: Self.location, available: 6)
            simulator.inject(.stale, count: 10)
            let result = await channel(simulator).pushLevels([
                ChannelLevel(sku: "MUG", location: "wh-main", value: 5, version: 2, previousValue: 6, externalID: mug)
            ])
            #expect(result.outcomes == [.conflict(current: 6)])
            #expect(simulator.requests.count == 3)
            let keys = mutations(simulator).map(\.key)
            #expect(keys.count == 2 && Set(keys).count == 2)
        }
    }

    @Test("the simulator refuses a failed key's repeat (IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED) and replays a success")
    func idempotency() async throws {
        try await withSimulator(ShopifySimulator(accessToken: "shpat_1", webhookSecret: "s")) { simulator in
            let mug = simulator.addVariant(sku: "MUG")
            simulator.setLevel(sku: "MUG", location: Self.location, available: 6)
            let level = ChannelLevel(sku: "MUG", location: "wh-main", value: 5, version: 2, previousValue: 6, externalID: mug)
            simulator.inject(.stale)
            _ = await channel(simulator).pushLevels([level])
            simulator.clearRequests()
            simulator.setLevel(sku: "MUG", location: Self.location, available: 6)
            // The identical push again: its derived key belongs to the refused first attempt.
            #expect(await channel(simulator).pushLevels([level]).outcomes == [.ok])
            let keys = mutations(simulator).map(\.key)
            #expect(keys.count == 2 && Set(keys).count == 2)
            #expect(simulator.level(sku: "MUG", location: Self.location) == 5)
        }
    }
}
