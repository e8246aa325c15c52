import ChannelVocabulary
import CurlHTTP
import Foundation

extension AllegroChannel {
    /// `GET /order/events?from=<last event id>`: `BOUGHT` and `READY_FOR_PROCESSING` → order created,
    /// `BUYER_CANCELLED` and `AUTO_CANCELLED` → cancelled, `FULFILLMENT_STATUS_CHANGED` to `SENT` or
    /// `PICKED_UP` (read from the checkout form) → fulfilled. The next cursor is the last event's id:
    /// store it only after the events are committed.
    package func fetchOrders(since cursor: String?) async throws(ChannelError) -> Page<NormalizedEvent> {
        var query = [("limit", String(configuration.eventsPageSize))]
        if let cursor { query.append(("from", cursor)) }
        let (json, _) = try await transport.call(.get, "/order/events", query: query)
        let raw = json["events"].array
        var events: [NormalizedEvent] = []
        for event in raw {
            if let normalized = try await normalize(event) { events.append(normalized) }
        }
        let next = raw.last?["id"].string ?? cursor
        return Page(items: events, nextCursor: next, hasMore: raw.count >= configuration.eventsPageSize)
    }

    private func normalize(_ event: JSON) async throws(ChannelError) -> NormalizedEvent? {
        let id = try event["id"].requiredString("event id")
        guard let order = event["order"]["checkoutForm"]["id"].string else { return nil }
        let occurred = Timestamps.parse(event["occurredAt"].string)
        let kind: NormalizedEvent.Kind
        switch event["type"].string {
        case "BOUGHT", "READY_FOR_PROCESSING":
            kind = .orderCreated
        case "BUYER_CANCELLED", "AUTO_CANCELLED":
            kind = .orderCancelled
        case "FULFILLMENT_STATUS_CHANGED":
            let (form, _) = try await transport.call(.get, "/order/checkout-forms/\(ChannelTransport.escape(order))")
            guard ["SENT", "PICKED_UP"].contains(form["fulfillment"]["status"].string ?? "") else { return nil }
            kind = .orderFulfilled
        default:
            return nil
        }
        let lines =
            kind == .orderCreated
            ? event["order"]["lineItems"].array.map { item in
                NormalizedEvent.Line(
                    sku: item["offer"]["external"]["id"].string, externalID: item["offer"]["id"].string, quantity: item["quantity"].int ?? 0)
            } : []
        return NormalizedEvent(id: "allegro-event-\(id)", kind: kind, orderRef: order, lines: lines, occurredAt: occurred)
    }
}
