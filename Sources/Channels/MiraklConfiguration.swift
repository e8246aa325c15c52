import Foundation

/// Settings of a `mirakl` channel: a shop on a marketplace run on the Mirakl Marketplace Platform (Empik and many
/// others), through the seller ("shop") API.
package struct MiraklConfiguration: Sendable {
    /// The marketplace's Mirakl instance, e.g. `https://empikplace-prod.mirakl.net`; the API lives under `/api`.
    package var instanceURL: String
    /// The shop API key, sent as the whole `Authorization` header
    /// (https://developer.mirakl.com/content/product/mmp/rest/seller/openapi3, security scheme `shop_api_key`).
    package var apiKey: String
    /// The shop to act on when the key's user has several; nil: the user's default shop (`shop_id` on every call).
    package var shopID: String?
    /// Offers per OF24 call (at most ``largestBatch``).
    package var batchSize: Int
    /// Offers per OF21 page and orders per OR11 page (`max`, at most 100).
    package var pageSize: Int
    /// How far before the stored cursor each OR11 read starts, so that an order updated at the boundary is
    /// read twice rather than never; imports are idempotent.
    package var orderOverlap: TimeInterval

    /// The most offers Omnistock puts in one OF24 call. Mirakl documents no count limit for OF24, only its call
    /// frequency (at most once a minute), so a batch carries what a minute's backlog usually is; left open by the docs.
    package static let largestBatch = 1000

    /// The largest quantity Mirakl takes for an offer ("The quantity available in stock (maximum: one billion).
    /// Integer greater than or equal to 0", OF01 field `quantity`, quoted in
    /// https://help.useresponse.com/hemi/knowledge-base/article/marketplaces-laredoute-mirakl-technical-scope-laredoute-product-offer-management-laredoute-offer-stock-update_1).
    package static let maximumQuantity = 1_000_000_000

    /// Creates a configuration.
    package init(
        instanceURL: String, apiKey: String, shopID: String? = nil, batchSize: Int = MiraklConfiguration.largestBatch,
        pageSize: Int = 100, orderOverlap: TimeInterval = 300
    ) {
        self.instanceURL = instanceURL
        self.apiKey = apiKey
        self.shopID = shopID.flatMap { $0.isEmpty ? nil : $0 }
        self.batchSize = min(max(batchSize, 1), Self.largestBatch)
        self.pageSize = min(max(pageSize, 1), 100)
        self.orderOverlap = orderOverlap
    }
}
