import ChannelVocabulary
import CurlHTTP
import Foundation

import struct HTTPTypes.HTTPFields

/// A shop on a Mirakl marketplace (Empik and the other marketplaces run on the Mirakl Marketplace Platform), through
/// the seller API (https://developer.mirakl.com/content/product/mmp/rest/seller/openapi3). The pooled value is the
/// offer's `quantity`; a listing's external id is the offer's `shop_sku` (the seller's own SKU for the offer). Mirakl
/// sends sellers no webhooks Omnistock can rely on: orders are polled with OR11.
package struct MiraklChannel: Channel {
    /// `mirakl`.
    package static let kind = "mirakl"
    /// One pooled value per offer; listings are offers, found by `shop_sku` or by the EAN among the offer's
    /// `product_references` (OF21); orders only by polling.
    package static let capabilities = ChannelCapabilities(needsListings: true, matchesBarcodes: true, pollsOrders: true)
    /// The settings.
    package let configuration: MiraklConfiguration
    let transport: ChannelTransport

    /// Creates the adapter; `client` is shared with the other channels.
    package init(configuration: MiraklConfiguration, client: CurlHTTPClient) {
        self.configuration = configuration
        self.transport = ChannelTransport(
            client: client, baseURL: configuration.instanceURL,
            // "Authorization: YOUR_API_KEY", no scheme: https://developer.mirakl.com/content/product/mcm/rest/seller/openapi3/stores
            authorizer: HeaderAuthorizer(name: "Authorization", value: configuration.apiKey))
    }

    /// The configured offers per OF24 call (at most ``MiraklConfiguration/largestBatch``).
    package var largestBatch: Int { configuration.batchSize }

    /// One OF24 call every 62 seconds: OF24's documented maximum usage is once per minute
    /// (https://developer.mirakl.com/content/product/mmp/rest/seller/openapi3/offers/of24), and Mirakl answers
    /// calls beyond an API's limit with 429 and `Retry-After`.
    package var pushRequestRate: Double? { 1.0 / 62 }

    /// `shop_id` on every call when configured ("Use this parameter when your user has access to several shops").
    var shopQuery: [(String, String)] {
        configuration.shopID.map { [("shop_id", $0)] } ?? []
    }

    /// OF24 `POST /api/offers`, one call for the batch. OF24 replaces the whole offer ("You must send all offer
    /// fields. Offer fields that are not sent are reset to their default value"), so each offer is first read with OF21
    /// and sent back as it is, with only `quantity` changed (``MiraklOfferUpdate``). An offer OF21 does not list is
    /// refused for good before the call (Mirakl cannot update an offer that is not there, and creating one is not
    /// Omnistock's job). Values are published within 0…1,000,000,000, Mirakl's range for `quantity`.
    ///
    /// OF24 is asynchronous: it answers an `import_id` and applies the offers later (OF02 reports the import). A
    /// 2xx with an import id counts as pushed; the import is not polled, since OF02 and OF03 are limited to once a
    /// minute each: an offer the import refused for a reason Omnistock cannot see beforehand shows as drift at the next
    /// reconcile, which pushes it again.
    package func pushLevels(_ levels: [ChannelLevel]) async -> PushResult {
        var outcomes = [PushOutcome?](repeating: nil, count: levels.count)
        var wanted: [String: [Int]] = [:]
        for (index, level) in levels.enumerated() {
            if level.location != ChannelLevel.pooled {
                outcomes[index] = .permanent("Mirakl offers hold pooled values only")
            } else if let sku = level.externalID, !sku.isEmpty {
                wanted[sku, default: []].append(index)
            } else {
                outcomes[index] = .permanent("no Mirakl offer (shop_sku) for \(level.sku)")
            }
        }
        if !wanted.isEmpty {
            do {
                let current = try await offers(withShopSKUs: Set(wanted.keys))
                var body: [JSON] = []
                var sent: [Int] = []
                for (sku, indices) in wanted.sorted(by: { $0.key < $1.key }) {
                    guard let offer = current[sku] else {
                        for index in indices { outcomes[index] = .permanent("Mirakl lists no offer with shop_sku \(sku)") }
                        continue
                    }
                    // The highest version wins when one batch holds the same offer twice.
                    let latest = indices.max { levels[$0].version < levels[$1].version } ?? indices[0]
                    body.append(MiraklOfferUpdate.body(from: offer, quantity: Self.publishable(levels[latest].value)))
                    sent += indices
                }
                if !body.isEmpty {
                    let outcome = try await importOffers(body)
                    for index in sent { outcomes[index] = outcome }
                }
            } catch {
                for (index, outcome) in outcomes.enumerated() where outcome == nil { outcomes[index] = PushOutcome(error) }
            }
        }
        return PushResult(
            items: zip(levels, outcomes).map { level, outcome in
                PushResult.Item(level: level, outcome: outcome ?? .transient("not sent"))
            })
    }

    /// A ledger value as Mirakl takes it: an integer in 0…1,000,000,000.
    static func publishable(_ value: Int) -> Int {
        min(max(value, 0), MiraklConfiguration.maximumQuantity)
    }

    /// Sends one OF24 call; ok when Mirakl accepted the import (2xx with an `import_id`).
    private func importOffers(_ offers: [JSON]) async throws(ChannelError) -> PushOutcome {
        let response = try await transport.send(.post, "/api/offers", query: shopQuery, json: ["offers": .array(offers)])
        let outcome = ResponseClassifier.outcome(of: response)
        guard outcome == .ok else { return outcome }
        guard ((try? JSON.parse(response.body)) ?? .null)["import_id"].int != nil else {
            return .transient("OF24 answered HTTP \(response.status) without an import_id: \(ResponseClassifier.excerpt(response.body))")
        }
        return .ok
    }

    /// The offers OF21 lists whose `shop_sku` is one of `skus`, read page by page until all are found.
    private func offers(withShopSKUs skus: Set<String>) async throws(ChannelError) -> [String: JSON] {
        var found: [String: JSON] = [:]
        var offset = 0
        while found.count < skus.count {
            let (offers, total) = try await offerPage(offset: offset)
            for offer in offers {
                if let sku = offer["shop_sku"].string, skus.contains(sku) { found[sku] = offer }
            }
            offset += offers.count
            if offers.isEmpty || offset >= total { break }
        }
        return found
    }

    /// One OF21 page (`GET /api/offers?offset=&max=`, offset pagination with `total_count`).
    private func offerPage(offset: Int) async throws(ChannelError) -> (offers: [JSON], total: Int) {
        let (json, _) = try await transport.call(
            .get, "/api/offers", query: [("offset", String(offset)), ("max", String(configuration.pageSize))] + shopQuery)
        let offers = json["offers"].array
        return (offers, json["total_count"].int ?? offset + offers.count)
    }

    /// OF21, one page per call; the cursor is the offset. An inactive offer shows 0 (buyers cannot order it).
    package func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot> {
        let offset = max(cursor.flatMap { Int($0) } ?? 0, 0)
        let (offers, total) = try await offerPage(offset: offset)
        let snapshots = offers.map { offer in
            let quantity = offer["quantity"].int.map { min(max($0, 0), MiraklConfiguration.maximumQuantity) } ?? 0
            return ChannelLevelSnapshot(
                sku: offer["shop_sku"].string, location: ChannelLevel.pooled, available: offer["active"].bool == false ? 0 : quantity,
                externalID: offer["shop_sku"].string,
                barcode: offer["product_references"].array.first { $0["reference_type"].string == "EAN" }?["reference"].string)
        }
        let next = offset + offers.count
        let hasMore = !offers.isEmpty && next < total
        return Page(items: snapshots, nextCursor: hasMore ? String(next) : nil, hasMore: hasMore)
    }

    /// Mirakl sends sellers no webhooks Omnistock uses.
    package func verifyWebhook(headers: HTTPFields, body: [UInt8], now: Date) -> WebhookVerdict {
        .rejected("mirakl sends no webhooks")
    }

    /// Mirakl sends sellers no webhooks Omnistock uses.
    package func parseWebhook(headers: HTTPFields, body: [UInt8]) throws(ChannelError) -> [NormalizedEvent] {
        throw ChannelError(.unsupported, "mirakl sends no webhooks")
    }
}
