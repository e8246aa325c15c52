import ChannelVocabulary
import CurlHTTP
import Foundation

extension PrestaShopChannel {
    /// Orders changed since the cursor: `GET /api/orders?display=full&filter[date_upd]=[from,…]&date=1&sort=[date_upd_ASC,id_ASC]`
    /// (a date filter compares date-times only with `date=1`: https://github.com/PrestaShop/PrestaShop/issues/10822;
    /// list options: https://devdocs.prestashop-project.org/8/webservice/cheat-sheet/).
    ///
    /// The cursor is the latest `date_upd` imported (the shop's own `yyyy-MM-dd HH:mm:ss`, never converted), and
    /// each read starts ``PrestaShopConfiguration/orderOverlap`` before it. Between pages it is
    /// `<from>|<skip>|<latest>`: the next page starts again at the last `date_upd` read (its orders are read twice,
    /// imports are idempotent), so an order saved meanwhile cannot shift an unread one past an offset. Only a page
    /// whose orders all share that second continues by offset within it (`skip`); the overlap covers what a save
    /// during that rare run could shift.
    ///
    /// Events by `current_state`: one of ``PrestaShopConfiguration/cancelledStates`` → cancelled; a state whose
    /// `order_states.shipped` flag is set (Shipped, Delivered and the merchant's own shipped states) → created and
    /// fulfilled; any other → created. Lines are `associations.order_rows` (`product_reference`, `product_quantity`).
    package func fetchOrders(since cursor: String?) async throws(ChannelError) -> Page<NormalizedEvent> {
        let parts = (cursor ?? "").split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let between = parts.count == 3
        let from = between ? parts[0] : Self.readStart(parts.first ?? "", overlap: configuration.orderOverlap)
        let skip = between ? max(Int(parts[1]) ?? 0, 0) : 0
        let stored = parts.first ?? ""
        var latest = between ? parts[2] : (Self.readStart(stored, overlap: 0) == stored ? stored : from)
        let orders = try await list(
            "orders",
            [
                ("display", "full"), ("filter[date_upd]", "[\(from),9999-12-31 23:59:59]"), ("date", "1"), ("sort", "[date_upd_ASC,id_ASC]"),
                ("limit", "\(skip),\(configuration.pageSize)"),
            ])
        var shipped: Set<Int> = []
        if !orders.isEmpty { shipped = try await shippedStates() }
        var events: [NormalizedEvent] = []
        var lastDate = from
        var sameDate = 0
        for order in orders {
            let id = try order["id"].requiredString("order id")
            let updated = try order["date_upd"].requiredString("date_upd")
            events += orderEvents(order, shipped: shipped).map { kind in Self.event(order, id: id, kind: kind) }
            if updated > latest { latest = updated }
            if updated == lastDate {
                sameDate += 1
            } else {
                lastDate = updated
                sameDate = 1
            }
        }
        guard orders.count >= configuration.pageSize else { return Page(items: events, nextCursor: latest, hasMore: false) }
        let skipNext = lastDate == from ? skip + sameDate : 0
        return Page(items: events, nextCursor: "\(lastDate)|\(skipNext)|\(latest)", hasMore: true)
    }

    /// The `order_states` whose `shipped` flag is set (https://devdocs.prestashop-project.org/8/webservice/resources/order_states/).
    private func shippedStates() async throws(ChannelError) -> Set<Int> {
        let states = try await list("order_states", [("display", "[id,shipped]")])
        return Set(states.filter { $0["shipped"].int == 1 }.compactMap { $0["id"].int })
    }

    private func orderEvents(_ order: JSON, shipped: Set<Int>) -> [NormalizedEvent.Kind] {
        let state = order["current_state"].int ?? 0
        if configuration.cancelledStates.contains(state) { return [.orderCancelled] }
        return shipped.contains(state) ? [.orderCreated, .orderFulfilled] : [.orderCreated]
    }

    private static func event(_ order: JSON, id: String, kind: NormalizedEvent.Kind) -> NormalizedEvent {
        NormalizedEvent(
            id: "prestashop-order-\(id)/\(kind.rawValue)", kind: kind, orderRef: id,
            lines: kind == .orderCreated
                ? order["associations"]["order_rows"].array.map { row in
                    NormalizedEvent.Line(
                        sku: row["product_reference"].string.flatMap { $0.isEmpty ? nil : $0 }, quantity: row["product_quantity"].int ?? 0)
                } : [],
            occurredAt: order["date_add"].string.flatMap { Timestamps.parse($0.replacingOccurrences(of: " ", with: "T")) })
    }

    /// `since` (`yyyy-MM-dd HH:mm:ss`) minus `overlap`, in the same form; the epoch for an empty or unreadable cursor
    /// (the whole history is read again: imports are idempotent).
    static func readStart(_ since: String, overlap: TimeInterval) -> String {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyy-MM-dd HH:mm:ss"
        guard let date = format.date(from: since) else { return "1970-01-01 00:00:00" }
        return format.string(from: date.addingTimeInterval(-max(0, overlap)))
    }
}
