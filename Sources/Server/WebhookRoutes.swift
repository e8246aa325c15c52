import ChannelVocabulary
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import PostgresClient

/// `POST /webhooks/{channel_code}`: verify with the channel's own scheme, parse, store in the inbox,
/// commit, then answer `200`. The event processor (Sync) turns inbox rows into ledger operations,
/// calling `parseWebhook` again on the stored payload and headers.
struct WebhookRoutes: Sendable {
    let channels: [String: any ChannelVocabulary.Channel]
    let inbox: InboxWriter
    let maxBodyBytes: Int
    let rateLimiter: RateLimiter?
    let now: @Sendable () -> Date

    /// Header names kept with the payload: everything the adapters read to verify and parse.
    static func isRelevant(_ name: String) -> Bool {
        name == "content-type" || name.hasPrefix("webhook-") || name.hasPrefix("x-shopify-") || name.hasPrefix("x-wc-webhook-")
    }

    /// The longest delivery id accepted, in UTF-8 bytes. Channels send short ids (a UUID, a number,
    /// `msg_…`); a much longer one cannot go into the inbox's unique index, so it is refused as malformed
    /// (`400`) instead of failing the insert and asking the channel to deliver again for ever (`503`).
    static let maxEventIDBytes = 256

    private struct Answer: Encodable {
        var status: String
        var eventId: String?
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/webhooks/{channel_code}") { request, context in
            try await receive(request, context: context)
        }
    }

    func receive(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let code = try context.parameters.require("channel_code")
        guard let channel = channels[code] else { throw APIError.notFound("unknown_channel", "no channel with this code") }
        let body = Array(try await JSONBody.collect(&request, limit: maxBodyBytes).readableBytesView)
        let headers = request.headers
        switch channel.verifyWebhook(headers: headers, body: body, now: now()) {
        case .rejected(let reason):
            context.logger.info("webhook rejected", metadata: ["channel": "\(code)", "reason": "\(reason)"])
            throw APIError(.unauthorized, "invalid_signature", "the webhook signature is missing, invalid or stale")
        case .ping:
            return JSONBody.response(Answer(status: "ignored"))
        case .verified:
            // Limited after verification, so that unsigned traffic cannot use up a channel's budget.
            try rateLimiter?.check("channel-\(code)")
        }
        let events: [NormalizedEvent]
        do {
            events = try channel.parseWebhook(headers: headers, body: body)
        } catch {
            throw APIError.invalidRequest("the webhook body is malformed or its event type is unknown")
        }
        if let problem = events.lazy.compactMap(\.quantityProblem).first { throw APIError.invalidRequest(problem) }
        // Topics that change no stock give no events: acknowledged, not stored.
        guard let eventID = events.first?.id else { return JSONBody.response(Answer(status: "ignored")) }
        guard !eventID.isEmpty else { throw APIError.invalidRequest("the webhook carries no delivery id") }
        guard eventID.utf8.count <= Self.maxEventIDBytes else {
            throw APIError.invalidRequest("the webhook's delivery id is longer than \(Self.maxEventIDBytes) bytes")
        }
        let kept = Dictionary(
            headers.filter { Self.isRelevant($0.name.canonicalName) }.map { ($0.name.canonicalName, $0.value) },
            uniquingKeysWith: { first, _ in first })
        let payload = String(decoding: body, as: UTF8.self)
        let outcome: InboxStore.Outcome
        do {
            let delivery = InboxStore.Delivery(channel: code, eventID: eventID, headers: kept, payload: payload)
            outcome = try await inbox.store(delivery)
        } catch let error as PostgresError {
            // Not stored (the insert or the commit failed, or not within the request timeout): the channel must deliver again.
            context.logger.error("webhook not stored", metadata: ["channel": "\(code)", "error": "\(error)"])
            throw APIError.databaseUnavailable
        }
        return JSONBody.response(Answer(status: outcome.rawValue, eventId: eventID))
    }
}
