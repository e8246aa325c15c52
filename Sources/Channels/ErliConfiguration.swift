import Foundation

/// Settings of an `erli` channel (Erli Shop API, https://erli.pl/svc/shop-api/doc/).
package struct ErliConfiguration: Sendable {
    /// The API root: `https://erli.pl/svc/shop-api`, or the sandbox `https://sandbox.erli.dev/svc/shop-api`
    /// (the `servers` entry of https://erli.pl/svc/shop-api/doc/swagger.json).
    package var apiURL: String
    /// The shop's API key, generated in the Erli seller panel; sent as `Authorization: Bearer <key>` (security scheme
    /// `bearer` in the OpenAPI file).
    package var apiKey: String
    /// Products per `PATCH /products/batch-update` call.
    package var batchSize: Int
    /// Products per `POST /products/_search` page (the schema allows 1…200).
    package var pageSize: Int
    /// Orders per `POST /orders/_search` page (the schema allows 1…200).
    package var ordersPageSize: Int
    /// How long a stock value Erli accepted (`202`) may still be missing from its reads: Erli applies writes
    /// asynchronously, so a read within this window that still shows the old value is a write in progress, not an
    /// edit at the channel (see ``ErliAcceptedWrites``).
    package var settleWindow: TimeInterval
    /// How far back the first order read goes (no cursor stored yet): orders changed in that time, so that connecting
    /// a shop imports its open orders, not its whole history as new sales.
    package var orderLookback: TimeInterval

    /// The most products one batch call carries here. The OpenAPI file sets no `maxItems` on the batch body and the
    /// documentation names no limit: left open by the vendor; 100 keeps one call's per-item answers small and is what
    /// WooCommerce documents for the same kind of call.
    package static let largestBatch = 100

    /// The highest page size `ProductSearch.pagination.limit` and `OrderSearch.pagination.limit` allow.
    package static let largestPage = 200

    /// How long Erli may take to show an accepted write: writes are answered `202` "zaakceptowano" (accepted) and
    /// applied later (https://erli.pl/svc/shop-api/doc/swagger.json); integrators of the API report a delay of about
    /// twenty minutes, which the vendor's reference does not quantify.
    package static let defaultSettleWindow: TimeInterval = 20 * 60

    /// Creates a configuration for production Erli unless a URL is given.
    package init(
        apiURL: String = "https://erli.pl/svc/shop-api", apiKey: String, batchSize: Int = ErliConfiguration.largestBatch,
        pageSize: Int = ErliConfiguration.largestPage, ordersPageSize: Int = ErliConfiguration.largestPage,
        settleWindow: TimeInterval = ErliConfiguration.defaultSettleWindow, orderLookback: TimeInterval = 24 * 3600
    ) {
        self.apiURL = apiURL
        self.apiKey = apiKey
        self.batchSize = min(max(batchSize, 1), Self.largestBatch)
        self.pageSize = min(max(pageSize, 1), Self.largestPage)
        self.ordersPageSize = min(max(ordersPageSize, 1), Self.largestPage)
        self.settleWindow = max(0, settleWindow)
        self.orderLookback = max(0, orderLookback)
    }
}
