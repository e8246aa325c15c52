import Crypto
import CurlHTTP
import Foundation

/// Allegro offers: the pooled value is the offer's `stock.available`. Allegro refuses 0 on an active
/// offer, so 0 ends the offer and a later positive value sets the stock and activates it again.
/// No webhooks: orders are polled from the order-events feed. A listing's external id is the offer id.
public struct AllegroChannel: Channel {
    /// `allegro`.
    public static let kind = "allegro"
    /// An offer has one pooled value.
    public let modelsLocations = false
    /// The settings.
    public let configuration: AllegroConfiguration
    let transport: ChannelTransport

    /// Allegro's JSON media type, for both `Accept` and `Content-Type`.
    public static let mediaType = "application/vnd.allegro.public.v1+json"

    /// Creates the adapter; `client` is shared with the other channels.
    public init(configuration: AllegroConfiguration, client: CurlHTTPClient) {
        self.configuration = configuration
        self.transport = ChannelTransport(
            client: client, baseURL: configuration.apiURL,
            authorizer: AllegroAuthorizer(configuration: configuration, client: client), mediaType: Self.mediaType
        )
    }

    /// Per offer: 0 → `END` publication command; > 0 → `PATCH /sale/product-offers/{id}` with the stock,
    /// then `ACTIVATE` when the offer was ended (last pushed 0) or its state is unknown.
    public func pushLevels(_ levels: [ChannelLevel]) async -> PushResult {
        var items: [PushResult.Item] = []
        for level in levels {
            items.append(PushResult.Item(level: level, outcome: await push(level)))
        }
        return PushResult(items: items)
    }

    private func push(_ level: ChannelLevel) async -> PushOutcome {
        guard level.location == ChannelLevel.pooled else { return .permanent("Allegro offers hold pooled values only") }
        guard let offer = level.externalID else { return .permanent("no Allegro offer for \(level.sku)") }
        do {
            if level.value == 0 {
                return try await publish(offer, action: "END", version: level.version)
            }
            let stock = try await transport.send(
                .patch, "/sale/product-offers/\(ChannelTransport.escape(offer))", json: ["stock": ["available": .int(level.value)]]
            )
            let outcome = ResponseClassifier.outcome(of: stock)
            guard outcome == .ok, (level.previousValue ?? 0) == 0 else { return outcome }
            return try await publish(offer, action: "ACTIVATE", version: level.version)
        } catch {
            return PushOutcome(error)
        }
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
    public func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot> {
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
    public func verifyWebhook(headers: HTTPHeaders, body: [UInt8], now: Date) -> WebhookVerdict {
        .rejected("allegro sends no webhooks")
    }

    /// Allegro sends no webhooks.
    public func parseWebhook(headers: HTTPHeaders, body: [UInt8]) throws(ChannelError) -> [NormalizedEvent] {
        throw ChannelError(.unsupported, "allegro sends no webhooks")
    }
}
