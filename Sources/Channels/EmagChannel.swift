import ChannelVocabulary
import CurlHTTP
import Foundation

import struct HTTPTypes.HTTPFields

/// eMAG Marketplace (`api-3`, emag.ro, emag.bg, emag.hu): an offer is keyed by the seller's numeric product `id`
/// (the listing's external id) and carries the seller's `part_number` (the SKU listings are found by) and `ean`
/// barcodes. Stock is set per warehouse; Omnistock publishes one pooled value to warehouse 1 ("use 1 if you only
/// have one warehouse"). Every call is a POST with a JSON body and HTTP Basic auth; the answer's `isError` decides
/// success (``EmagEnvelope``). Requests are paced to eMAG's documented limits (``EmagConfiguration/documentedSpacing``).
/// eMAG's new-order callback is an unsigned GET naming an order id, so orders are polled (`order/read`).
package struct EmagChannel: Channel {
    /// `emag`.
    package static let kind = "emag"
    /// One pooled value per offer; listings are offers found by `part_number` or by `ean`; orders are polled.
    package static let capabilities = ChannelCapabilities(needsListings: true, matchesBarcodes: true, pollsOrders: true)
    /// The warehouse the pooled value is written to.
    static let warehouse = 1
    /// The settings.
    package let configuration: EmagConfiguration
    let transport: ChannelTransport
    let orderPacer: RequestPacer
    let otherPacer: RequestPacer

    /// Creates the adapter; `client` is shared with the other channels.
    package init(configuration: EmagConfiguration, client: CurlHTTPClient) {
        self.configuration = configuration
        self.transport = ChannelTransport(
            client: client, baseURL: configuration.apiURL,
            authorizer: HeaderAuthorizer.basic(user: configuration.username, password: configuration.password))
        self.orderPacer = RequestPacer(spacing: configuration.spacing.orders)
        self.otherPacer = RequestPacer(spacing: configuration.spacing.others)
    }

    /// The configured offers per `offer/save` (at most 50).
    package var largestBatch: Int { configuration.batchSize }

    /// `POST {resource}/{action}` with a JSON body, after the pacer of its route group lets it go.
    func post(_ path: String, _ body: JSON) async throws(ChannelError) -> HTTPResponse {
        await (path.hasPrefix("/order/") ? orderPacer : otherPacer).wait()
        return try await transport.send(.post, path, json: body)
    }

    /// `POST offer/save` (the Light Offer API: updates existing offers, only `id` is mandatory, so no price or VAT
    /// has to be sent with the stock), up to ``largestBatch`` offers a request, each
    /// `{"id", "stock": [{"warehouse_id": 1, "value"}]}`. eMAG answers a batch as a whole; when it refuses one
    /// (`isError`, or HTTP 400) the batch is halved and each half sent again, so that one refused offer (e.g. in an
    /// active campaign, whose stock eMAG will not change) does not hold back the others: setting a stock again is
    /// harmless. Values below 0 are sent as 0. After a 429 the remaining batches are not sent: they wait as long.
    package func pushLevels(_ levels: [ChannelLevel]) async -> PushResult {
        var outcomes = [PushOutcome?](repeating: nil, count: levels.count)
        var entries: [(index: Int, id: Int)] = []
        for (index, level) in levels.enumerated() {
            if level.location != ChannelLevel.pooled {
                outcomes[index] = .permanent("eMAG offers hold pooled values only")
            } else if let id = level.externalID.flatMap({ Int($0) }), id > 0 {
                entries.append((index, id))
            } else {
                outcomes[index] = .permanent("no eMAG offer id for \(level.sku)")
            }
        }
        var throttled: PushOutcome?
        for batch in entries.chunked(into: configuration.batchSize) {
            // Once eMAG says wait, the rest of the backlog waits too instead of being refused request by request.
            var answers = throttled.map { Array(repeating: $0, count: batch.count) } ?? []
            if throttled == nil { answers = await save(batch.map { ($0.id, levels[$0.index].value) }) }
            for (entry, outcome) in zip(batch, answers) {
                outcomes[entry.index] = outcome
                if case .retryAfter = outcome { throttled = outcome }
            }
        }
        return PushResult(items: zip(levels, outcomes).map { PushResult.Item(level: $0, outcome: $1 ?? .transient("not sent")) })
    }

    private func save(_ offers: [(id: Int, value: Int)]) async -> [PushOutcome] {
        let body = JSON.array(
            offers.map { offer -> JSON in
                ["id": .int(offer.id), "stock": [["warehouse_id": .int(Self.warehouse), "value": .int(max(0, offer.value))]]]
            })
        let response: HTTPResponse
        do {
            response = try await post("/offer/save", body)
        } catch {
            return Array(repeating: PushOutcome(error), count: offers.count)
        }
        let outcome = EmagEnvelope.outcome(of: response)
        let refusedAsBatch = (response.status / 100 == 2 || response.status == 400) && !(outcome == .ok)
        guard offers.count > 1, refusedAsBatch, case .permanent = outcome else { return Array(repeating: outcome, count: offers.count) }
        let half = offers.count / 2
        return await save(Array(offers[..<half])) + save(Array(offers[half...]))
    }

    /// `POST product_offer/read` with `currentPage`/`itemsPerPage`; the cursor is the next page. An offer shows its
    /// `general_stock` (the sum over the seller's warehouses, lowered by eMAG as orders come in), or, without it,
    /// the sum of its `stock` list; a value that is not a whole number from 0 up shows as 0.
    package func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot> {
        let page = cursor.flatMap { Int($0) } ?? 1
        let offers = try EmagEnvelope.results(
            of: try await post("/product_offer/read", ["currentPage": .int(page), "itemsPerPage": .int(configuration.pageSize)]))
        let snapshots = offers.compactMap { offer -> ChannelLevelSnapshot? in
            guard let id = offer["id"].int else { return nil }
            let stock = offer["general_stock"].int ?? offer["stock"].array.reduce(0) { $0 &+ max(0, $1["value"].int ?? 0) }
            return ChannelLevelSnapshot(
                sku: offer["part_number"].string, location: ChannelLevel.pooled, available: max(0, stock), externalID: String(id),
                barcode: offer["ean"].array.first?.string ?? offer["ean"].string)
        }
        let hasMore = offers.count >= configuration.pageSize
        return Page(items: snapshots, nextCursor: hasMore ? String(page + 1) : nil, hasMore: hasMore)
    }

    /// eMAG's callback URLs are unsigned (a GET naming the order): nothing to verify, so none is accepted.
    package func verifyWebhook(headers: HTTPFields, body: [UInt8], now: Date) -> WebhookVerdict {
        .rejected("emag callbacks are unsigned; orders are polled")
    }

    /// eMAG sends no signed webhooks.
    package func parseWebhook(headers: HTTPFields, body: [UInt8]) throws(ChannelError) -> [NormalizedEvent] {
        throw ChannelError(.unsupported, "emag callbacks are unsigned; orders are polled")
    }
}
