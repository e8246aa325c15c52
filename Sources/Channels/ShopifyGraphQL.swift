import CurlHTTP
import Foundation

/// Calls to `POST /admin/api/{version}/graphql.json`, with Shopify's cost-based throttling:
/// a `THROTTLED` error (HTTP 200) or an HTTP 429 becomes ``ChannelError/Kind/retryAfter(seconds:)``,
/// the wait computed from `extensions.cost` (requested cost − currently available) ÷ restore rate.
struct ShopifyGraphQL: Sendable {
    let transport: ChannelTransport
    let path: String

    init(configuration: ShopifyConfiguration, client: CurlHTTPClient) {
        transport = ChannelTransport(
            client: client, baseURL: configuration.shopURL,
            authorizer: HeaderAuthorizer(name: "X-Shopify-Access-Token", value: configuration.accessToken)
        )
        path = "/admin/api/\(configuration.apiVersion)/graphql.json"
    }

    /// Runs `query` and returns its `data`; throttling, HTTP failures and top-level errors throw.
    func run(_ query: String, variables: JSON) async throws(ChannelError) -> JSON {
        let (json, _) = try await transport.call(.post, path, json: ["query": .string(query), "variables": variables])
        let errors = json["errors"].array
        if errors.contains(where: { $0["extensions"]["code"].string == "THROTTLED" }) {
            throw ChannelError(.retryAfter(seconds: Self.throttleWait(json["extensions"]["cost"])), "Shopify THROTTLED")
        }
        if !errors.isEmpty {
            throw ChannelError(.permanent, "GraphQL errors: " + errors.compactMap { $0["message"].string }.joined(separator: "; "))
        }
        return json["data"]
    }

    /// Seconds until the bucket holds the requested cost again (at least 1).
    static func throttleWait(_ cost: JSON) -> Int {
        let status = cost["throttleStatus"]
        guard let requested = cost["requestedQueryCost"].double, let available = status["currentlyAvailable"].double,
              let rate = status["restoreRate"].double, rate > 0
        else { return 1 }
        return max(Int(((requested - available) / rate).rounded(.up)), 1)
    }

    static let setQuantities = """
        mutation OmnistockSetQuantities($input: InventorySetQuantitiesInput!, $key: String!) {
          inventorySetQuantities(input: $input) @idempotent(key: $key) {
            userErrors { field message code }
          }
        }
        """

    static let variantsBySKU = """
        query OmnistockVariants($first: Int!, $query: String!) {
          productVariants(first: $first, query: $query) {
            nodes { sku inventoryItem { id } }
          }
        }
        """

    static let inventoryLevels = """
        query OmnistockLevels($first: Int!, $after: String) {
          inventoryItems(first: $first, after: $after) {
            pageInfo { hasNextPage endCursor }
            nodes {
              id sku
              inventoryLevels(first: 50) {
                nodes { location { id } quantities(names: ["available", "on_hand"]) { name quantity } }
              }
            }
          }
        }
        """

    static let orders = """
        query OmnistockOrders($first: Int!, $query: String) {
          orders(first: $first, sortKey: UPDATED_AT, query: $query) {
            pageInfo { hasNextPage }
            nodes {
              id name createdAt updatedAt cancelledAt displayFulfillmentStatus
              lineItems(first: 100) { nodes { sku quantity } }
            }
          }
        }
        """
}
