import ChannelVocabulary
import Crypto
import CurlHTTP
import Foundation

import struct HTTPTypes.HTTPFields

/// Settings of an `omnistock-json` channel (see CHANNEL-PROTOCOL.md).
package struct OmnistockJSONConfiguration: Sendable {
    /// The endpoint's root URL.
    package var baseURL: String
    /// Sent as `Authorization: Bearer <token>`.
    package var token: String
    /// Standard Webhooks secrets (`whsec_…`); several during rotation.
    package var webhookSecrets: [String]
    /// Levels per `PUT /levels`.
    package var batchSize: Int
    /// Levels per `GET /levels` page.
    package var pageSize: Int
    /// Sent as `User-Agent`.
    package var userAgent: String

    /// Creates a configuration with the protocol's defaults.
    package init(
        baseURL: String, token: String, webhookSecrets: [String] = [], batchSize: Int = 100, pageSize: Int = 500, userAgent: String = "omnistock/1.0"
    ) {
        self.baseURL = baseURL
        self.token = token
        self.webhookSecrets = webhookSecrets
        self.batchSize = batchSize
        self.pageSize = pageSize
        self.userAgent = userAgent
    }
}

/// Omnistock's own protocol for store/POS systems and custom endpoints, exactly as CHANNEL-PROTOCOL.md specifies.
package struct OmnistockJSONChannel: Channel {
    /// `omnistock-json`.
    package static let kind = "omnistock-json"
    /// Store systems: per-location values addressed by SKU (no listings), physical counts read back, and pickup
    /// reservations held (CHANNEL-PROTOCOL.md).
    package static let capabilities = ChannelCapabilities(holdsReservations: true, reportsCounts: true, modelsLocations: true)
    /// The settings.
    package let configuration: OmnistockJSONConfiguration
    private let transport: ChannelTransport
    private let webhooks: StandardWebhooks

    /// Creates the adapter; `client` is shared with the other channels.
    package init(configuration: OmnistockJSONConfiguration, client: CurlHTTPClient) {
        self.configuration = configuration
        self.webhooks = StandardWebhooks(secrets: configuration.webhookSecrets)
        self.transport = ChannelTransport(
            client: client, baseURL: configuration.baseURL,
            authorizer: HeaderAuthorizer.bearer(configuration.token), userAgent: configuration.userAgent
        )
    }

    /// `batch_size` levels per `PUT /levels` (CHANNEL-PROTOCOL.md).
    package var largestBatch: Int { configuration.batchSize }

    /// `PUT /levels` per batch with an `Idempotency-Key` derived from the batch itself.
    package func pushLevels(_ levels: [ChannelLevel]) async -> PushResult {
        var items: [PushResult.Item] = []
        for batch in levels.chunked(into: configuration.batchSize) {
            let body: JSON = [
                "levels": .array(
                    batch.map {
                        ["sku": .string($0.sku), "location": .string($0.location), "available": .int($0.value), "version": .int(Int($0.version))]
                    })
            ]
            let bytes = body.encoded()
            let key = SHA256.hash(data: bytes).lowercaseHex
            let outcomes: [PushOutcome]
            do {
                let response = try await transport.send(.put, "/levels", json: body, headers: ["Idempotency-Key": key])
                outcomes = Self.outcomes(for: batch, response: response)
            } catch {
                outcomes = Array(repeating: PushOutcome(error), count: batch.count)
            }
            items += zip(batch, outcomes).map { PushResult.Item(level: $0, outcome: $1) }
        }
        return PushResult(items: items)
    }

    /// A `409` names the levels that disagree: those are conflicts carrying the endpoint's value;
    /// the others of the refused batch are pushed again.
    private static func outcomes(for batch: [ChannelLevel], response: HTTPResponse) -> [PushOutcome] {
        let outcome = ResponseClassifier.outcome(of: response)
        guard case .conflict = outcome else { return Array(repeating: outcome, count: batch.count) }
        let current = ((try? JSON.parse(response.body)) ?? .null)["levels"].array
        return batch.map { level in
            guard let held = current.first(where: { $0["sku"].string == level.sku && $0["location"].string == level.location }) else {
                return .transient("batch refused: other levels in it conflict")
            }
            return .conflict(current: held["available"].int)
        }
    }

    /// `GET /levels?limit=…&cursor=…`.
    package func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot> {
        var query = [("limit", String(configuration.pageSize))]
        if let cursor { query.append(("cursor", cursor)) }
        let (json, _) = try await transport.call(.get, "/levels", query: query)
        let levels = try json["levels"].array.map { entry throws(ChannelError) in
            ChannelLevelSnapshot(
                sku: try entry["sku"].requiredString("sku"), location: try entry["location"].requiredString("location"),
                available: try entry["available"].requiredInt("available"), onHand: entry["on_hand"].int
            )
        }
        let next = json["next_cursor"].string
        return Page(items: levels, nextCursor: next, hasMore: next != nil)
    }

    /// The protocol has no order listing: orders arrive only as webhooks.
    package func fetchOrders(since cursor: String?) async throws(ChannelError) -> Page<NormalizedEvent> {
        throw ChannelError(.unsupported, "omnistock-json endpoints do not list orders")
    }

    /// `POST /reservations`, idempotent by id.
    package func pushReservation(_ reservation: ChannelReservation) async -> PushOutcome {
        let body: JSON = [
            "id": .string(reservation.id), "sku": .string(reservation.sku), "location": .string(reservation.location),
            "quantity": .int(reservation.quantity), "order": .string(reservation.order), "channel": .string(reservation.channel),
            "expires_at": .string(Timestamps.format(reservation.expiresAt)),
        ]
        do {
            return ResponseClassifier.outcome(of: try await transport.send(.post, "/reservations", json: body))
        } catch {
            return PushOutcome(error)
        }
    }

    /// `DELETE /reservations/{id}`; `404` counts as done.
    package func cancelReservation(id: String) async -> PushOutcome {
        do {
            let response = try await transport.send(.delete, "/reservations/" + ChannelTransport.escape(id))
            return response.status == 404 ? .ok : ResponseClassifier.outcome(of: response)
        } catch {
            return PushOutcome(error)
        }
    }

    /// Standard Webhooks with a 300 s timestamp tolerance.
    package func verifyWebhook(headers: HTTPFields, body: [UInt8], now: Date) -> WebhookVerdict {
        webhooks.verify(
            id: headers.first(.webhookID), timestamp: headers.first(.webhookTimestamp),
            signature: headers.first(.webhookSignature), body: body, now: now
        )
    }

    /// `{"type": …, "data": …}` → one event, keyed by `webhook-id`.
    package func parseWebhook(headers: HTTPFields, body: [UInt8]) throws(ChannelError) -> [NormalizedEvent] {
        let json = try JSON.parse(body)
        let data = json["data"]
        let id = headers.first(.webhookID) ?? ""
        switch json["type"].string {
        case "order.created":
            let lines = try data["lines"].array.map { line throws(ChannelError) in
                NormalizedEvent.Line(
                    sku: try line["sku"].requiredString("sku"), quantity: try line["quantity"].requiredInt("quantity"),
                    location: line["location"].string
                )
            }
            return [
                NormalizedEvent(
                    id: id, kind: .orderCreated, orderRef: try data["order"].requiredString("order"), lines: lines,
                    fulfillment: data["fulfillment"].string.flatMap(NormalizedEvent.Fulfillment.init(rawValue:)),
                    pickupLocation: data["pickup_location"].string, occurredAt: Timestamps.parse(data["created_at"].string),
                    destination: data["destination"].string
                )
            ]
        case "order.cancelled":
            return [NormalizedEvent(id: id, kind: .orderCancelled, orderRef: try data["order"].requiredString("order"))]
        case "order.fulfilled":
            return [NormalizedEvent(id: id, kind: .orderFulfilled, orderRef: try data["order"].requiredString("order"))]
        case "stock.counted":
            let line = NormalizedEvent.Line(
                sku: try data["sku"].requiredString("sku"), quantity: try data["on_hand"].requiredInt("on_hand"),
                location: try data["location"].requiredString("location")
            )
            return [NormalizedEvent(id: id, kind: .stockCounted, lines: [line], occurredAt: Timestamps.parse(data["counted_at"].string))]
        case "stock.adjusted":
            let line = NormalizedEvent.Line(
                sku: try data["sku"].requiredString("sku"), quantity: try data["delta"].requiredInt("delta"),
                location: try data["location"].requiredString("location")
            )
            return [NormalizedEvent(id: id, kind: .stockAdjusted, lines: [line], reason: data["reason"].string, reference: data["reference"].string)]
        case let type:
            throw ChannelError(.malformed, "unknown event type \(type ?? "(none)")")
        }
    }
}
