import ChannelVocabulary
import CurlHTTP
import Foundation

extension ErliChannel {
    /// `POST /orders/_search` sorted by `updated` ascending, continuing `after` the `cursor` of the last order read
    /// (`OrderSearch.pagination`; `Order.cursor` is "a Unix timestamp joined with the order id", a format that
    /// "guarantees no order with an equal time is skipped"). Without a cursor the read starts
    /// ``ErliConfiguration/orderLookback`` ago (`OrderFilter` `updated >= …`). The search is a plain read: reading a page again changes
    /// nothing at Erli, and the cursor Omnistock stores after committing a page is the resume point. (The other feed,
    /// `GET /inbox`, returns the 500 oldest unread messages and is acknowledged with `POST /inbox/mark-read`: state
    /// at Erli that a reconcile in another process would move.) Statuses (`Order.status`, `Order.sellerStatus`):
    /// - `pending` (awaiting payment) or `purchased` → order created: Erli takes the stock when the buyer orders;
    /// - `cancelled` → order cancelled: Erli does not give the stock back, Omnistock's next push does;
    /// - `sellerStatus` `sent`, `readyToPickup` or `received`, or `status` `returned` → created and fulfilled (a
    ///   return is not put back on sale automatically: that waits for the goods, as with the other channels).
    package func fetchOrders(since cursor: String?) async throws(ChannelError) -> Page<NormalizedEvent> {
        var pagination: [String: JSON] = ["sortField": "updated", "order": "ASC", "limit": .int(configuration.ordersPageSize)]
        var body: [String: JSON] = [:]
        if let cursor {
            pagination["after"] = .string(cursor)
        } else {
            let since = Timestamps.format(now().addingTimeInterval(-configuration.orderLookback))
            body["filter"] = ["field": "updated", "operator": ">=", "value": .string(since)]
        }
        body["pagination"] = .object(pagination)
        let (json, _) = try await transport.call(.post, "/orders/_search", json: .object(body))
        guard case .array(let orders) = json else { throw ChannelError(.malformed, "order search answer is not an array") }
        var events: [NormalizedEvent] = []
        var next = cursor
        for order in orders {
            let id = try order["id"].requiredString("order id")
            next = try order["cursor"].requiredString("order cursor")
            events += Self.orderEvents(order).map { kind in Self.event(order, id: id, kind: kind) }
        }
        return Page(items: events, nextCursor: next, hasMore: orders.count >= configuration.ordersPageSize && next != cursor)
    }

    /// The events an order's state implies.
    private static func orderEvents(_ order: JSON) -> [NormalizedEvent.Kind] {
        let delivered = ["sent", "readyToPickup", "received"].contains(order["sellerStatus"].string ?? "")
        switch order["status"].string {
        case "cancelled": return [.orderCancelled]
        case "returned": return [.orderCreated, .orderFulfilled]
        case "pending", "purchased": return delivered ? [.orderCreated, .orderFulfilled] : [.orderCreated]
        default: return []
        }
    }

    /// One event of an order; its id is stable across reads, so a page read twice imports nothing twice.
    private static func event(_ order: JSON, id: String, kind: NormalizedEvent.Kind) -> NormalizedEvent {
        // An unreadable quantity reaches the ledger as out of range: the order is set aside for an operator rather
        // than imported short.
        let lines =
            kind == .orderCreated
            ? order["items"].array.map { item in
                NormalizedEvent.Line(sku: item["externalId"].string, externalID: item["externalId"].string, quantity: item["quantity"].int ?? Int.max)
            } : []
        return NormalizedEvent(
            id: "erli-order-\(id)/\(kind.rawValue)", kind: kind, orderRef: id, lines: lines, fulfillment: .ship,
            occurredAt: Timestamps.parse(order["updated"].string))
    }
}
