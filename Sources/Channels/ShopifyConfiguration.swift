/// Settings of a `shopify` channel (Admin GraphQL API).
package struct ShopifyConfiguration: Sendable {
    /// The shop's root URL, e.g. `https://example.myshopify.com`.
    package var shopURL: String
    /// The Admin API access token, sent as `X-Shopify-Access-Token`.
    package var accessToken: String
    /// The Admin API version in the URL path.
    package var apiVersion: String
    /// The app's client secrets that sign webhooks (two during rotation).
    package var webhookSecrets: [String]
    /// Omnistock location code → Shopify location id (`gid://shopify/Location/…`).
    package var locations: [String: String]
    /// Quantities per `inventorySetQuantities` call (at most ``largestBatch``).
    package var batchSize: Int
    /// The most nodes per page when listing levels and orders; pages are smaller where Shopify's
    /// 1,000-point query cost ceiling requires (see `ShopifyQueryCost`).
    package var pageSize: Int
    /// The `reason` recorded with each quantity change.
    package var reason: String
    /// Shops with more product variants (inventory items) than this are read whole through a bulk operation.
    package var bulkThreshold: Int
    /// Seconds between polls of a running bulk operation.
    package var bulkPollInterval: Double

    /// The most quantities sent in one `inventorySetQuantities`: 250, the figure of issue 15. The reference pages of
    /// the mutation and of `InventorySetQuantitiesInput` (https://shopify.dev/docs/api/admin-graphql/latest/mutations/inventorySetQuantities)
    /// state no limit on `quantities`; 250 is also the largest page Shopify serves (https://shopify.dev/docs/api/usage/pagination-graphql).
    package static let largestBatch = 250

    /// The API version used unless configured otherwise.
    package static let defaultAPIVersion = "2026-10"

    /// Creates a configuration.
    package init(
        shopURL: String, accessToken: String, apiVersion: String = ShopifyConfiguration.defaultAPIVersion,
        webhookSecrets: [String] = [], locations: [String: String] = [:], batchSize: Int = ShopifyConfiguration.largestBatch,
        pageSize: Int = 250, reason: String = "correction", bulkThreshold: Int = 10_000, bulkPollInterval: Double = 2
    ) {
        self.shopURL = shopURL
        self.accessToken = accessToken
        self.apiVersion = apiVersion
        self.webhookSecrets = webhookSecrets
        self.locations = locations
        self.batchSize = min(max(batchSize, 1), Self.largestBatch)
        self.pageSize = pageSize
        self.reason = reason
        self.bulkThreshold = bulkThreshold
        self.bulkPollInterval = bulkPollInterval
    }

    /// The Omnistock code of a Shopify location, given as a `gid://shopify/Location/…` or a bare numeric id.
    func locationCode(forShopifyID id: String) -> String? {
        let numeric = id.split(separator: "/").last.map(String.init) ?? id
        return locations.first { $0.value == id || $0.value.split(separator: "/").last.map(String.init) == numeric }?.key
    }
}
