import ChannelVocabulary
import Foundation

/// Settings of a `woocommerce` channel (REST API v3).
package struct WooCommerceConfiguration: Sendable {
    /// The site's root URL; the API lives under `/wp-json/wc/v3`.
    package var siteURL: String
    /// The REST API consumer key (Basic auth user).
    package var consumerKey: String
    /// The REST API consumer secret (Basic auth password).
    package var consumerSecret: String
    /// The secrets webhooks are signed with (two during rotation).
    package var webhookSecrets: [String]
    /// Items per batch call (at most ``largestBatch``).
    package var batchSize: Int
    /// Items per listed page (at most 100).
    package var pageSize: Int
    /// Products with stock management off (WooCommerce's default for new products): `enable` turns it on
    /// with the first push, `flag` leaves them and reports each as an `unmanaged_listing` conflict.
    package var unmanaged: UntrackedStockPolicy
    /// How far before the stored cursor each order read starts, so that an order modified at the boundary
    /// (or saved late by a slow request) is read twice rather than never; imports are idempotent.
    package var orderOverlap: TimeInterval

    /// The most items one `POST /products/batch` takes: 100
    /// (https://woocommerce.github.io/woocommerce-rest-api-docs/#batch-update-products, "limited to up to 100 objects").
    package static let largestBatch = 100

    /// Creates a configuration.
    package init(
        siteURL: String, consumerKey: String, consumerSecret: String, webhookSecrets: [String] = [],
        batchSize: Int = WooCommerceConfiguration.largestBatch,
        pageSize: Int = 100, unmanaged: UntrackedStockPolicy = .enable, orderOverlap: TimeInterval = 300
    ) {
        self.siteURL = siteURL
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.webhookSecrets = webhookSecrets
        self.batchSize = min(max(batchSize, 1), Self.largestBatch)
        self.pageSize = min(pageSize, 100)
        self.unmanaged = unmanaged
        self.orderOverlap = orderOverlap
    }
}
