import ChannelVocabulary
import Foundation

extension EmagChannel {
    /// `POST order/read` with `modifiedAfter`, page by page (`currentPage`, `itemsPerPage`). The cursor is the latest
    /// `modified` imported or, between pages, `<modified>|<page>|<latest modified seen>`; store it only after the
    /// page's events are committed.
    ///
    /// eMAG writes `modified` and reads `modifiedAfter` as `YYYY-mm-dd HH:ii:ss` on the platform's clock without a
    /// zone (section "Processing orders" of the API documentation, linked from
    /// https://marketplace.emag.ro/infocenter/emag-academy/product-import-through-api-or-feeds/api-documentation/?lang=en);
    /// the cursor keeps eMAG's own text, so both sides compare like with like. Each read starts
    /// ``EmagConfiguration/orderOverlap`` before the cursor: reconcile imports only what the ledger does not know.
    ///
    /// Statuses (same section): 1 new, 2 in progress, 3 prepared → created; 4 finalized → created and fulfilled;
    /// 0 cancelled → cancelled; 5 returned → created and fulfilled (the goods left; what comes back is the
    /// retailer's returns process, not a cancellation). Orders are not acknowledged (`order/acknowledge`): that
    /// belongs to the retailer's order system, which would otherwise miss them among the new ones.
    package func fetchOrders(since cursor: String?) async throws(ChannelError) -> Page<NormalizedEvent> {
        let parts = (cursor ?? "").split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let since = parts.first.flatMap { $0.isEmpty ? nil : $0 } ?? "1970-01-01 00:00:00"
        let page = parts.count > 1 ? max(Int(parts[1]) ?? 1, 1) : 1
        var latest = parts.count > 2 ? parts[2] : since
        let orders = try EmagEnvelope.results(
            of: try await post(
                "/order/read",
                [
                    "currentPage": .int(page), "itemsPerPage": .int(configuration.pageSize),
                    "modifiedAfter": .string(Self.readStart(since, overlap: configuration.orderOverlap)),
                ]))
        var events: [NormalizedEvent] = []
        for order in orders {
            let id = try order["id"].requiredString("order id")
            events += Self.orderEvents(order["status"].int).map { kind in Self.event(order, id: id, kind: kind) }
            if let modified = order["modified"].string, modified > latest { latest = modified }
        }
        let hasMore = orders.count >= configuration.pageSize
        return Page(items: events, nextCursor: hasMore ? "\(since)|\(page + 1)|\(latest)" : latest, hasMore: hasMore)
    }

    /// The events an order's status implies; none for a status eMAG does not document.
    static func orderEvents(_ status: Int?) -> [NormalizedEvent.Kind] {
        switch status {
        case 0: [.orderCancelled]
        case 1, 2, 3: [.orderCreated]
        case 4, 5: [.orderCreated, .orderFulfilled]
        default: []
        }
    }

    /// An order event; a created order carries its products, except those removed from it (`status` 0).
    static func event(_ order: JSON, id: String, kind: NormalizedEvent.Kind) -> NormalizedEvent {
        let lines =
            kind == .orderCreated
            ? order["products"].array.filter { $0["status"].int != 0 }.map { product in
                NormalizedEvent.Line(
                    sku: product["part_number"].string, externalID: product["product_id"].string, quantity: product["quantity"].int ?? 0)
            } : []
        return NormalizedEvent(
            id: "emag-order-\(id)/\(kind.rawValue)", kind: kind, orderRef: id, lines: lines, fulfillment: .ship)
    }

    /// `since` minus `overlap` on the same zone-less clock; text that is not eMAG's format is sent as it is.
    static func readStart(_ since: String, overlap: TimeInterval) -> String {
        guard let date = formatter.date(from: since) else { return since }
        return formatter.string(from: date.addingTimeInterval(-max(0, overlap)))
    }

    /// `YYYY-mm-dd HH:ii:ss`, read as UTC wall-clock digits (the arithmetic on the cursor needs no zone).
    static var formatter: DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter
    }
}
