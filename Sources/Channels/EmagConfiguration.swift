import Foundation

/// Settings of an `emag` channel (eMAG Marketplace API `api-3`, one account per country: emag.ro, emag.bg, emag.hu).
package struct EmagConfiguration: Sendable {
    /// The API root of the account's country, e.g. `https://marketplace-api.emag.ro/api-3`.
    package var apiURL: String
    /// The API user's username (HTTP Basic user).
    package var username: String
    /// The API user's password (HTTP Basic password).
    package var password: String
    /// Offers per `offer/save` request (at most ``largestBatch``).
    package var batchSize: Int
    /// Offers or orders per `read` page (at most ``largestPage``).
    package var pageSize: Int
    /// How far before the stored cursor each order read starts (wall-clock seconds): an order modified at the
    /// boundary, or in the hour a daylight-saving change repeats, is read twice rather than never.
    package var orderOverlap: TimeInterval
    /// The least time between two requests to the order routes, and between two requests to any other resource.
    package var spacing: (orders: Duration, others: Duration)

    /// The most entities one save request takes: 50 ("Added a limit for the number of entities per request", API
    /// documentation v4.2.0; section "Rate limiting" of the eMAG Marketplace API documentation, linked from
    /// https://marketplace.emag.ro/infocenter/emag-academy/product-import-through-api-or-feeds/api-documentation/?lang=en).
    package static let largestBatch = 50

    /// The most items one `read` returns: `itemsPerPage` at most 100 (section "Pagination and filters", same document).
    package static let largestPage = 100

    /// 12 requests a second to the order routes, 3 a second (180 a minute) to all other resources together
    /// (section "Rate limiting", same document), kept a little under: 11 and 2.8 a second.
    package static let documentedSpacing: (orders: Duration, others: Duration) = (.milliseconds(91), .milliseconds(357))

    /// Creates a configuration.
    package init(
        apiURL: String, username: String, password: String, batchSize: Int = EmagConfiguration.largestBatch,
        pageSize: Int = EmagConfiguration.largestPage, orderOverlap: TimeInterval = 3600,
        spacing: (orders: Duration, others: Duration) = EmagConfiguration.documentedSpacing
    ) {
        self.apiURL = apiURL
        self.username = username
        self.password = password
        self.batchSize = min(max(batchSize, 1), Self.largestBatch)
        self.pageSize = min(max(pageSize, 1), Self.largestPage)
        self.orderOverlap = orderOverlap
        self.spacing = spacing
    }
}
