import ChannelVocabulary
import CurlHTTP
import Foundation

extension MiraklChannel {
    /// OR11 `GET /api/orders?start_update_date=…&offset=&max=`
    /// (https://developer.mirakl.com/content/product/mmp/rest/seller/openapi3/orders/or11), page by page. The cursor is
    /// `<timestamp>` (the latest `last_updated_date` imported) or, between pages, `<timestamp>|<offset>|<latest seen>`.
    /// Each read starts ``MiraklConfiguration/orderOverlap`` before the cursor: an order updated in the cursor's second,
    /// or saved late, is read again rather than never (Mirakl subtracts a delta of its own for the same reason); the
    /// event ids make a second import change nothing.
    package func fetchOrders(since cursor: String?) async throws(ChannelError) -> Page<NormalizedEvent> {
        let parts = (cursor ?? "").split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let since = parts.first.flatMap { $0.isEmpty ? nil : $0 }
        let offset = parts.count > 1 ? max(Int(parts[1]) ?? 0, 0) : 0
        var latest = parts.count > 2 ? parts[2] : since ?? ""
        var query = [("offset", String(offset)), ("max", String(configuration.pageSize))]
        if let since { query.append(("start_update_date", Self.readStart(since, overlap: configuration.orderOverlap))) }
        let (json, _) = try await transport.call(.get, "/api/orders", query: query + shopQuery)
        let orders = json["orders"].array
        var events: [NormalizedEvent] = []
        for order in orders {
            let id = try order["order_id"].requiredString("order_id")
            events += Self.orderEvents(order["order_state"].string).map { kind in Self.event(order, id: id, kind: kind) }
            if let updated = Timestamps.parse(order["last_updated_date"].string), updated > (Timestamps.parse(latest) ?? .distantPast) {
                latest = Timestamps.format(updated)
            }
        }
        let next = offset + orders.count
        let hasMore = !orders.isEmpty && next < (json["total_count"].int ?? next)
        let resume = latest.isEmpty ? nil : latest
        return Page(items: events, nextCursor: hasMore ? "\(since ?? "")|\(next)|\(latest)" : resume, hasMore: hasMore)
    }

    /// `since` minus `overlap`, in UTC; an unparsable value is sent as it is.
    static func readStart(_ since: String, overlap: TimeInterval) -> String {
        guard let date = Timestamps.parse(since) else { return since }
        return Timestamps.format(date.addingTimeInterval(-max(0, overlap)))
    }

    /// What an order state (https://developer.mirakl.com/content/product/mmp/rest/seller/openapi3/orders/or11,
    /// `order_state`) means for stock:
    /// - waiting states and `SHIPPING`: the buyer ordered, stock is held → created;
    /// - `SHIPPED`, `TO_COLLECT`, `RECEIVED`, `CLOSED`: left the shop → created and fulfilled (an order first seen
    ///   already shipped still takes its stock);
    /// - `REFUSED` (the seller refused it, or the acceptance delay ran out) and `CANCELED`: → cancelled, which releases
    ///   what an earlier import reserved and is nothing for an order the ledger never saw;
    /// - any other state (new ones Mirakl may add, incidents, refunds): created, which holds stock rather than oversells.
    static func orderEvents(_ state: String?) -> [NormalizedEvent.Kind] {
        switch state ?? "" {
        case "REFUSED", "CANCELED": [.orderCancelled]
        case "SHIPPED", "TO_COLLECT", "RECEIVED", "CLOSED": [.orderCreated, .orderFulfilled]
        default: [.orderCreated]
        }
    }

    /// An order event; a created one carries the order lines still ordered (a line `REFUSED` or `CANCELED` on its own
    /// takes no stock). A line quantity outside 1…1,000,000,000 is carried as 0, which the ledger does not import.
    static func event(_ order: JSON, id: String, kind: NormalizedEvent.Kind) -> NormalizedEvent {
        var lines: [NormalizedEvent.Line] = []
        if kind == .orderCreated {
            for line in order["order_lines"].array where !["REFUSED", "CANCELED"].contains(line["order_line_state"].string ?? "") {
                let quantity = line["quantity"].int.flatMap { (1...MiraklConfiguration.maximumQuantity).contains($0) ? $0 : nil } ?? 0
                lines.append(NormalizedEvent.Line(sku: line["offer_sku"].string, externalID: line["offer_sku"].string, quantity: quantity))
            }
        }
        return NormalizedEvent(
            id: "mirakl-order-\(id)/\(kind.rawValue)", kind: kind, orderRef: id, lines: lines, fulfillment: .ship,
            occurredAt: Timestamps.parse(order["created_date"].string))
    }
}
