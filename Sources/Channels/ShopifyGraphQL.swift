import ChannelVocabulary
import CurlHTTP
import Foundation

/// Calls to `POST /admin/api/{version}/graphql.json`, with Shopify's cost-based throttling: each query
/// first waits until the bucket (as the last `extensions.cost.throttleStatus` described it) holds its
/// requested cost; a `THROTTLED` error (HTTP 200) or an HTTP 429 still becomes
/// ``ChannelError/Kind/retryAfter(seconds:)``, the wait computed from `extensions.cost`
/// (requested cost − currently available) ÷ restore rate.
struct ShopifyGraphQL: Sendable {
    let transport: ChannelTransport
    let path: String
    let throttle = ShopifyThrottle()

    /// The longest the adapter waits for the bucket itself; a longer wait is handed back as `retryAfter`.
    static let longestWait = 30.0

    init(configuration: ShopifyConfiguration, client: CurlHTTPClient) {
        transport = ChannelTransport(
            client: client, baseURL: configuration.shopURL,
            authorizer: HeaderAuthorizer(name: "X-Shopify-Access-Token", value: configuration.accessToken)
        )
        path = "/admin/api/\(configuration.apiVersion)/graphql.json"
    }

    /// Runs `query`, whose requested cost is `cost` (see ``ShopifyQueryCost``), and returns its `data`;
    /// throttling, HTTP failures and top-level errors throw.
    func run(_ query: String, variables: JSON, cost: Int) async throws(ChannelError) -> JSON {
        let wait = throttle.reserve(cost)
        if wait > Self.longestWait {
            throw ChannelError(.retryAfter(seconds: Int(wait.rounded(.up))), "Shopify cost bucket: \(cost) points not available for \(Int(wait)) s")
        }
        if wait > 0 {
            do { try await Task.sleep(for: .seconds(wait)) } catch { throw ChannelError(.transient, "cancelled") }
        }
        let (json, _) = try await transport.call(.post, path, json: ["query": .string(query), "variables": variables])
        throttle.observe(json["extensions"]["cost"])
        let errors = json["errors"].array
        if errors.contains(where: { $0["extensions"]["code"].string == "THROTTLED" }) {
            throw ChannelError(.retryAfter(seconds: Self.throttleWait(json["extensions"]["cost"])), "Shopify THROTTLED")
        }
        if !errors.isEmpty {
            throw ChannelError(.permanent, "GraphQL errors: " + errors.compactMap { $0["message"].string }.joined(separator: "; "))
        }
        return json["data"]
    }

    /// Downloads a bulk operation's result from `url`: a storage URL outside the Admin API, fetched without
    /// the access token.
    func download(_ url: String) async throws(ChannelError) -> [UInt8] {
        let response: HTTPResponse
        do {
            response = try await transport.client.execute(HTTPRequest(method: .get, url: url))
        } catch {
            throw ChannelError(.transient, error.description)
        }
        if let error = ResponseClassifier.error(for: response) { throw error }
        return response.body
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
            nodes { sku barcode inventoryItem { id } }
          }
        }
        """

    /// Costs ``ShopifyQueryCost/locationLevels(first:)``.
    static let locationLevels = """
        query OmnistockLocationLevels($location: ID!, $first: Int!, $after: String) {
          location(id: $location) {
            inventoryLevels(first: $first, after: $after) {
              pageInfo { hasNextPage endCursor }
              nodes { item { id sku } quantities(names: ["available", "on_hand"]) { name quantity } }
            }
          }
        }
        """

    /// Costs 1 (an object of scalars).
    static let variantsCount = "query OmnistockVariantsCount { productVariantsCount { count } }"

    /// Costs ``ShopifyQueryCost/mutation``; `$query` is ``bulkLevels``.
    static let runBulkQuery = """
        mutation OmnistockBulkLevels($query: String!) {
          bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } }
        }
        """

    /// The whole catalogue's levels, for ``runBulkQuery`` (bulk queries have no cost ceiling and no page sizes).
    static let bulkLevels = """
        { inventoryItems { nodes { id sku inventoryLevels { nodes { location { id } quantities(names: ["available", "on_hand"]) { name quantity } } } } } }
        """

    /// Costs 1 (an object of scalars).
    static let currentBulkOperation = """
        query OmnistockBulkStatus { currentBulkOperation(type: QUERY) { id status errorCode url } }
        """

    /// Costs ``ShopifyQueryCost/itemLevel``.
    static let itemLevel = """
        query OmnistockItemLevel($item: ID!, $location: ID!) {
          inventoryItem(id: $item) {
            inventoryLevel(locationId: $location) { quantities(names: ["available"]) { name quantity } }
          }
        }
        """

    /// Costs ``ShopifyQueryCost/orders(first:lineItems:)``.
    static let orders = """
        query OmnistockOrders($first: Int!, $lineItems: Int!, $query: String) {
          orders(first: $first, sortKey: UPDATED_AT, query: $query) {
            pageInfo { hasNextPage }
            nodes {
              id name createdAt updatedAt cancelledAt displayFulfillmentStatus
              lineItems(first: $lineItems) { pageInfo { hasNextPage endCursor } nodes { sku quantity } }
            }
          }
        }
        """

    /// Costs ``ShopifyQueryCost/orderLineItems(first:)``.
    static let orderLineItems = """
        query OmnistockOrderLines($order: ID!, $first: Int!, $after: String) {
          order(id: $order) {
            lineItems(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { sku quantity } }
          }
        }
        """
}
