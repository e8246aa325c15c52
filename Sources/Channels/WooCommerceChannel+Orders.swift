import ChannelVocabulary
import CurlHTTP
import Foundation

extension WooCommerceChannel {
    /// Orders modified after the cursor, page by page. The cursor is `<timestamp>` (the latest
    /// `date_modified_gmt` imported) or, between pages, `<timestamp>|<page>|<latest modification seen>`.
    ///
    /// WooCommerce compares `modified_after` with the site's local time unless `dates_are_gmt=true`
    /// (https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders): the cursor is GMT, so the
    /// flag is always sent. The read starts ``WooCommerceConfiguration/orderOverlap`` before the cursor: an
    /// order modified in the cursor's second, or saved by a request that committed late, is read again
    /// rather than never (reconcile imports only what the ledger does not know).
    package func fetchOrders(since cursor: String?) async throws(ChannelError) -> Page<NormalizedEvent> {
        let parts = (cursor ?? "").split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let since = parts.first.flatMap { $0.isEmpty ? nil : $0 } ?? "1970-01-01T00:00:00"
        let page = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
        var latest = parts.count > 2 ? parts[2] : since
        let (orders, response) = try await transport.call(
            .get, "/orders",
            query: [
                ("modified_after", Self.readStart(since, overlap: configuration.orderOverlap)), ("dates_are_gmt", "true"),
                ("page", String(page)), ("per_page", String(configuration.pageSize)),
            ])
        var events: [NormalizedEvent] = []
        for order in orders.array {
            let id = try order["id"].requiredString("id")
            events += Self.orderEvents(order).map { kind in
                Self.event(order, id: "woocommerce-order-\(id)/\(kind.rawValue)", kind: kind)
            }
            if let modified = order["date_modified_gmt"].string, modified > latest { latest = modified }
        }
        let totalPages = response.headers["X-WP-TotalPages"].flatMap { Int($0) } ?? page
        let hasMore = page < totalPages
        return Page(items: events, nextCursor: hasMore ? "\(since)|\(page + 1)|\(latest)" : latest, hasMore: hasMore)
    }

    /// `since` (a GMT `yyyy-MM-ddTHH:mm:ss`) minus `overlap`, in the same form; unparsable values are sent as they are.
    static func readStart(_ since: String, overlap: TimeInterval) -> String {
        guard let date = Timestamps.parse(since) else { return since }
        return String(Timestamps.format(date.addingTimeInterval(-max(0, overlap))).prefix(19))
    }

    /// The events an order's status implies, for reconcile.
    private static func orderEvents(_ order: JSON) -> [NormalizedEvent.Kind] {
        switch order["status"].string {
        case "cancelled", "refunded", "failed": [.orderCancelled]
        case "completed": [.orderCreated, .orderFulfilled]
        default: [.orderCreated]
        }
    }
}
