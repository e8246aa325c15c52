import ChannelVocabulary
import CurlHTTP
import Foundation

import struct HTTPTypes.HTTPFields

/// Erli (erli.pl) products through the Shop API (https://erli.pl/svc/shop-api/doc/, OpenAPI file
/// https://erli.pl/svc/shop-api/doc/swagger.json). A product is addressed by the seller's own id, `externalId`, which
/// Omnistock sets to the SKU; its one pooled value is `stock`. Levels go out in `PATCH /products/batch-update`; Erli
/// accepts each item with `202` and applies it later (``ErliAcceptedWrites``). Orders are polled from
/// `POST /orders/_search` (``fetchOrders(since:)``): Erli's hooks are sent once without retry and carry only a
/// static token the shop chose, not a signature over their content, so they are not accepted for stock.
package struct ErliChannel: Channel {
    /// `erli`.
    package static let kind = "erli"
    /// One pooled value per product; listings are products found by `externalId` (the SKU) or by `ean`, which
    /// `POST /products/_search` returns; orders only by polling.
    package static let capabilities = ChannelCapabilities(needsListings: true, matchesBarcodes: true, pollsOrders: true)
    /// The lowest and highest `stock` the product schemas allow (`ProductUpdate.stock`, `ProductResponse.stock`).
    package static let stockRange = -2_000_000_000...2_000_000_000
    /// The settings.
    package let configuration: ErliConfiguration
    /// Stock values Erli accepted and may not show yet.
    package let acceptedWrites: ErliAcceptedWrites
    let transport: ChannelTransport
    let now: @Sendable () -> Date

    /// Creates the adapter; `client` is shared with the other channels; `now` is the clock of accepted writes.
    package init(configuration: ErliConfiguration, client: CurlHTTPClient, now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.acceptedWrites = ErliAcceptedWrites(window: configuration.settleWindow)
        self.transport = ChannelTransport(client: client, baseURL: configuration.apiURL, authorizer: HeaderAuthorizer.bearer(configuration.apiKey))
        self.now = now
    }

    /// The configured batch size (``ErliConfiguration/largestBatch`` at most).
    package var largestBatch: Int { configuration.batchSize }

    /// `PATCH /products/batch-update` with `[{externalId, stock}]`, one chunk per call. The answer is an array with
    /// one `{externalId, status, result?, error?}` per item (`ProductBatchResponse`): `202` accepted (the item counts
    /// as pushed once `result.updatedFields` holds `stock`), `404` unknown product, `408` a batch timeout (transient),
    /// other 4xx rejected. A `202` whose `updatedFields` lacks `stock` is a product whose stock the seller locked in
    /// the panel (`frozen.stock`, "lock editing of fields by API/integration"): refused until the seller unlocks it.
    /// A failed call gives every item of its chunk the call's outcome (429 waits for `Retry-After`).
    package func pushLevels(_ levels: [ChannelLevel]) async -> PushResult {
        var outcomes: [Int: PushOutcome] = [:]
        var sendable: [(index: Int, id: String, value: Int)] = []
        for (index, level) in levels.enumerated() {
            if level.location != ChannelLevel.pooled {
                outcomes[index] = .permanent("Erli products hold pooled values only")
            } else if !Self.stockRange.contains(level.value) {
                outcomes[index] = .permanent("stock \(level.value) is outside Erli's range \(Self.stockRange)")
            } else {
                sendable.append((index, level.externalID ?? level.sku, level.value))
            }
        }
        for chunk in sendable.chunked(into: configuration.batchSize) {
            let body = JSON.array(chunk.map { item -> JSON in ["externalId": .string(item.id), "stock": .int(item.value)] })
            let answers: [String: PushOutcome]
            do {
                answers = try await batch(body)
            } catch {
                for item in chunk { outcomes[item.index] = PushOutcome(error) }
                continue
            }
            let acceptedAt = now()
            for item in chunk {
                let outcome = answers[item.id] ?? .transient("Erli's batch answer has no item for \(item.id)")
                if outcome == .ok { acceptedWrites.accepted(item.value, for: item.id, at: acceptedAt) }
                outcomes[item.index] = outcome
            }
        }
        return PushResult(items: levels.indices.map { PushResult.Item(level: levels[$0], outcome: outcomes[$0] ?? .transient("not sent")) })
    }

    /// One batch call: the outcome of each `externalId` in the answer.
    private func batch(_ body: JSON) async throws(ChannelError) -> [String: PushOutcome] {
        let (json, _) = try await transport.call(.patch, "/products/batch-update", json: body)
        guard case .array(let items) = json else { throw ChannelError(.malformed, "batch answer is not an array") }
        var outcomes: [String: PushOutcome] = [:]
        for item in items {
            guard let id = item["externalId"].string else { continue }
            outcomes[id] = Self.outcome(item)
        }
        return outcomes
    }

    /// The outcome of one item of a batch answer.
    static func outcome(_ item: JSON) -> PushOutcome {
        let status = item["status"].int ?? 0
        let message = item["error"]["message"].string ?? item["error"]["name"].string ?? "HTTP \(status)"
        switch status {
        case 200..<300:
            let updated = item["result"]["updatedFields"].array.compactMap(\.string)
            return updated.contains("stock")
                ? .ok : .permanent("Erli did not update the stock of \(item["externalId"].string ?? "?"): locked (frozen) in the seller panel")
        case 404: return .permanent("unknown Erli product: \(message)")
        case 429: return .retryAfter(seconds: ResponseClassifier.defaultRetryAfterSeconds)
        case 408, 500..<600: return .transient("HTTP \(status): \(message)")
        default: return .permanent("HTTP \(status): \(message)")
        }
    }

    /// `POST /products/_search` ordered by `externalId`, `limit` per page, continuing `after` the last `externalId`
    /// (`ProductSearch.pagination`); a short page is the last. Archived products are left out: archiving makes a
    /// product unbuyable, takes it out of the shop panel and cannot be undone through the API (`ProductUpdate.archived`).
    /// A product whose `stock` is not an integer in the documented range is left out too (nothing to compare).
    /// While a write Erli accepted may still be in progress, the accepted value is reported (``ErliAcceptedWrites``).
    package func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot> {
        var pagination: [String: JSON] = ["sortField": "externalId", "order": "ASC", "limit": .int(configuration.pageSize)]
        if let cursor { pagination["after"] = .string(cursor) }
        let body: JSON = ["pagination": .object(pagination), "fields": ["externalId", "stock", "ean", "archived", "status"]]
        let (json, _) = try await transport.call(.post, "/products/_search", json: body)
        guard case .array(let products) = json else { throw ChannelError(.malformed, "product search answer is not an array") }
        let readAt = now()
        var snapshots: [ChannelLevelSnapshot] = []
        for product in products {
            guard let id = product["externalId"].string, product["archived"].bool != true,
                let stock = product["stock"].int, Self.stockRange.contains(stock)
            else { continue }
            snapshots.append(
                ChannelLevelSnapshot(
                    sku: id, location: ChannelLevel.pooled, available: acceptedWrites.expected(id, shown: stock, at: readAt), externalID: id,
                    barcode: product["ean"].string))
        }
        let last = products.last?["externalId"].string
        let hasMore = products.count >= configuration.pageSize && last != nil && last != cursor
        return Page(items: snapshots, nextCursor: hasMore ? last : nil, hasMore: hasMore)
    }

    /// Erli's hooks carry no signature over their content: not accepted.
    package func verifyWebhook(headers: HTTPFields, body: [UInt8], now: Date) -> WebhookVerdict {
        .rejected("erli hooks are not signed; orders are polled")
    }

    /// Erli's hooks are not accepted.
    package func parseWebhook(headers: HTTPFields, body: [UInt8]) throws(ChannelError) -> [NormalizedEvent] {
        throw ChannelError(.unsupported, "erli hooks are not signed; orders are polled")
    }
}
