import ChannelVocabulary
import Crypto
import CurlHTTP
import Foundation

import struct HTTPTypes.HTTPFields

/// Allegro offers: the pooled value is the offer's `stock.available`. Allegro ends an offer itself when its stock
/// reaches 0 (the buyers took the last unit, or Omnistock published 0) and says why in `publication.endedBy`; a
/// stock change alone never publishes an ended offer again. No webhooks: orders are polled from the order-events
/// feed. A listing's external id is the offer id.
package struct AllegroChannel: Channel {
    /// `allegro`.
    package static let kind = "allegro"
    /// An offer has one pooled value; listings are offers, found by SKU (`external.id`): the offer list
    /// (`GET /sale/offers`) documents no barcode (the EAN is a product parameter of each offer).
    package static let capabilities = ChannelCapabilities(needsListings: true, pollsOrders: true)
    /// The settings.
    package let configuration: AllegroConfiguration
    let transport: ChannelTransport

    /// Allegro's JSON media type, for both `Accept` and `Content-Type`.
    package static let mediaType = "application/vnd.allegro.public.v1+json"

    /// Creates the adapter; `client` is shared with the other channels.
    package init(configuration: AllegroConfiguration, client: CurlHTTPClient) {
        self.configuration = configuration
        self.transport = ChannelTransport(
            client: client, baseURL: configuration.apiURL,
            authorizer: AllegroAuthorizer(configuration: configuration, client: client), mediaType: Self.mediaType
        )
    }

    /// One offer per request: `PATCH /sale/product-offers/{offerId}` edits one offer, and is limited to 2,500 requests
    /// a minute per seller (https://developer.allegro.pl/news/22-pazdziernika-2024-wprowadzimy-dodatkowy-limit-na-zasobie-sale-product-offers-offerid-AgjRKzx1luB).
    package var largestBatch: Int { 1 }

    /// 2,450 offer PATCHes a minute: 2 % under the documented 2,500, so that timing jitter earns no 429.
    package var pushRequestRate: Double? { 2450.0 / 60 }

    /// Per offer: `PATCH /sale/product-offers/{id}` with the stock (0 included: Allegro then ends an active offer,
    /// documented under `Stock.available`), then, for a value above 0, the offer's publication as the answer shows
    /// it (or, when the answer lacks it, `GET /sale/product-offers/{id}`):
    /// - `ACTIVE`/`ACTIVATING`: done;
    /// - `ENDED` with `endedBy: EMPTY_STOCK` (Allegro ended it for lack of stock): the `ACTIVATE` publication command;
    /// - ended for any other reason (`USER`, `ADMIN`, `EXPIRATION`, …) or never published (`INACTIVE`): left as the
    ///   seller or Allegro left it, refused with an `ended_offer` issue (an open conflict for an operator).
    ///
    /// Allegro takes each purchase from the offer's stock at once, and the PATCH is absolute: it would give back the
    /// units bought since the last write whose orders the event feed has not brought in yet. For a level carrying
    /// ``ChannelLevel/unseenSales`` (lag-aware channels), the offer is read first (`GET /sale/product-offers/{id}`,
    /// under the 9,000 requests a minute per client id, https://developer.allegro.pl/en/faq/ "Limits and
    /// restrictions", not the offer PATCH limit) and the write leaves those units out.
    package func pushLevels(_ levels: [ChannelLevel]) async -> PushResult {
        await PushResult.oneByOne(levels, push)
    }

    private func push(_ level: ChannelLevel) async -> PushResult.Item {
        guard level.location == ChannelLevel.pooled else {
            return PushResult.Item(level: level, outcome: .permanent("Allegro offers hold pooled values only"))
        }
        guard let offer = level.externalID else { return PushResult.Item(level: level, outcome: .permanent("no Allegro offer for \(level.sku)")) }
        let path = "/sale/product-offers/\(ChannelTransport.escape(offer))"
        do {
            let unseen = try await unseenSales(of: level, at: path)
            let written = level.value - (unseen ?? 0)
            let stock = try await transport.send(.patch, path, json: ["stock": ["available": .int(written)]])
            let outcome = ResponseClassifier.outcome(of: stock)
            guard outcome == .ok else { return PushResult.Item(level: level, outcome: outcome) }
            guard written > 0 else { return PushResult.Item(level: level, outcome: .ok, unseenSales: unseen) }
            var publication = ((try? JSON.parse(stock.body)) ?? .null)["publication"]
            if publication["status"].isNull { publication = try await transport.call(.get, path).0["publication"] }
            switch (publication["status"].string, publication["endedBy"].string) {
            case ("ENDED", "EMPTY_STOCK"):
                let activated = try await publish(offer, action: "ACTIVATE", version: level.version)
                return PushResult.Item(level: level, outcome: activated, unseenSales: unseen)
            case ("ENDED", let reason), ("INACTIVE", let reason):
                let why = publication["status"].string == "INACTIVE" ? "was never published" : "was ended by \(reason ?? "an unknown reason")"
                let detail = "Allegro offer \(offer) \(why); Omnistock does not publish it again"
                return PushResult.Item(level: level, outcome: .permanent(detail), issue: ListingIssue(kind: .endedOffer, detail: detail))
            default:
                return PushResult.Item(level: level, outcome: .ok, unseenSales: unseen)
            }
        } catch {
            return PushResult.Item(level: level, outcome: PushOutcome(error))
        }
    }

    /// The offer's sales not in the ledger (``UnseenSales``), from its stock read now; nil when the level carries no
    /// state to count them from or the offer shows no stock.
    private func unseenSales(of level: ChannelLevel, at path: String) async throws(ChannelError) -> Int? {
        guard let state = level.unseenSales else { return nil }
        guard let current = try await transport.call(.get, path).0["stock"]["available"].int else { return nil }
        return state.count(channelShows: current, value: level.value)
    }

    /// `PUT /sale/offer-publication-commands/{uuid}`; the command id is derived from offer, action and
    /// version, so a retried push repeats the same command instead of issuing a new one.
    private func publish(_ offer: String, action: String, version: Int64) async throws(ChannelError) -> PushOutcome {
        let body: JSON = [
            "publication": ["action": .string(action)],
            "offerCriteria": [["offers": [["id": .string(offer)]], "type": "CONTAINS_OFFERS"]],
        ]
        let commandID = Self.commandID("\(offer)|\(action)|\(version)")
        return ResponseClassifier.outcome(of: try await transport.send(.put, "/sale/offer-publication-commands/\(commandID)", json: body))
    }

    /// A UUID-formatted id derived from `seed`.
    static func commandID(_ seed: String) -> String {
        var bytes = Array(SHA256.hash(data: Array(seed.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.lowercaseHex
        let cuts = [8, 12, 16, 20]
        var parts: [String] = []
        var start = hex.startIndex
        for cut in cuts + [32] {
            let end = hex.index(hex.startIndex, offsetBy: cut)
            parts.append(String(hex[start..<end]))
            start = end
        }
        return parts.joined(separator: "-")
    }

    /// `GET /sale/offers?limit=…&offset=…`; an ended offer shows 0. The cursor is the offset.
    package func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot> {
        let offset = cursor.flatMap { Int($0) } ?? 0
        let (json, _) = try await transport.call(
            .get, "/sale/offers", query: [("limit", String(configuration.pageSize)), ("offset", String(offset))]
        )
        let offers = json["offers"].array
        let snapshots = offers.map { offer in
            let active = offer["publication"]["status"].string == "ACTIVE"
            return ChannelLevelSnapshot(
                sku: offer["external"]["id"].string, location: ChannelLevel.pooled,
                available: active ? offer["stock"]["available"].int ?? 0 : 0, externalID: offer["id"].string
            )
        }
        let next = offset + offers.count
        let hasMore = !offers.isEmpty && next < (json["totalCount"].int ?? next)
        return Page(items: snapshots, nextCursor: hasMore ? String(next) : nil, hasMore: hasMore)
    }

    /// Allegro sends no webhooks.
    package func verifyWebhook(headers: HTTPFields, body: [UInt8], now: Date) -> WebhookVerdict {
        .rejected("allegro sends no webhooks")
    }

    /// Allegro sends no webhooks.
    package func parseWebhook(headers: HTTPFields, body: [UInt8]) throws(ChannelError) -> [NormalizedEvent] {
        throw ChannelError(.unsupported, "allegro sends no webhooks")
    }
}
