import ChannelVocabulary
import Foundation

/// Settings of a `prestashop` channel (the webservice of a self-hosted PrestaShop 1.7 or 8.x shop).
package struct PrestaShopConfiguration: Sendable {
    /// The shop's root URL; the webservice lives under `/api`.
    package var shopURL: String
    /// The webservice key (Advanced Parameters → Webservice), sent as the HTTP Basic user with an empty password.
    package var key: String
    /// Rows per listed page (`limit=offset,count`).
    package var pageSize: Int
    /// Stock rows that allow orders when out of stock (`out_of_stock = 1`, backorders) sell without limit:
    /// `enable` sets them to deny orders (`0`) with the next push, `flag` leaves them and reports an `unmanaged_listing`.
    package var unmanaged: UntrackedStockPolicy
    /// How far before the stored cursor each order read starts (orders saved late, or in the cursor's second, are read
    /// again rather than never; imports are idempotent).
    package var orderOverlap: TimeInterval
    /// The `order_states` ids that cancel an order; by default ``installerCancelledStates``. The flags of `order_states`
    /// cannot tell them from states awaiting payment (all flags off in both), so a shop whose states were renumbered,
    /// or that added its own cancelling states, lists them (`cancelled_states`).
    package var cancelledStates: Set<Int>
    /// The installer's Canceled (6), Refund (7) and Payment error (8)
    /// (https://github.com/PrestaShop/PrestaShop/blob/develop/install-dev/data/xml/order_state.xml, in insertion order).
    package static let installerCancelledStates: Set<Int> = [6, 7, 8]
    /// Levels a second a push lane sends when no `rate_limit` is configured: each level is a GET and a PUT on a PHP
    /// shop that documents no limit, so a gentle default.
    package var pushRate: Double

    /// Creates a configuration.
    package init(
        shopURL: String, key: String, pageSize: Int = 100, unmanaged: UntrackedStockPolicy = .enable, orderOverlap: TimeInterval = 300,
        cancelledStates: Set<Int> = installerCancelledStates, pushRate: Double = 5
    ) {
        self.shopURL = shopURL
        self.key = key
        self.pageSize = min(max(pageSize, 1), 1000)
        self.unmanaged = unmanaged
        self.orderOverlap = orderOverlap
        self.cancelledStates = cancelledStates
        self.pushRate = pushRate
    }
}
