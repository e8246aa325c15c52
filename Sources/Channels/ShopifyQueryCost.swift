/// The requested cost of Omnistock's Shopify queries by Shopify's documented rules
/// (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits): scalars 0, objects 1, a connection
/// 2 plus `first` nodes each costing what it selects (so nested connections multiply), a mutation 10; no
/// single query may ask more than 1,000 points. Page sizes are chosen from these figures, so every query
/// stays under the ceiling by construction.
enum ShopifyQueryCost {
    /// The most one query may request.
    static let singleQueryLimit = 1000
    /// The most nodes one connection page returns (https://shopify.dev/docs/api/usage/pagination-graphql).
    static let maximumPageSize = 250
    /// Any mutation.
    static let mutation = 10

    /// A connection of `first` nodes, each costing `node` (the node object itself included).
    static func connection(first: Int, node: Int) -> Int {
        2 + first * node
    }

    /// `location { inventoryLevels(first:) { nodes { item { id sku } quantities { name quantity } } } }`.
    static func locationLevels(first: Int) -> Int {
        1 + connection(first: first, node: 1 + 1 + 1)
    }

    /// `inventoryItem { inventoryLevel { quantities { name quantity } } }`.
    static let itemLevel = 3

    /// `productVariants(first:) { nodes { sku inventoryItem { id } } }`.
    static func variants(first: Int) -> Int {
        connection(first: first, node: 1 + 1)
    }

    /// `orders(first:) { nodes { … lineItems(first:) { nodes { sku quantity } } } }`.
    static func orders(first: Int, lineItems: Int) -> Int {
        connection(first: first, node: 1 + connection(first: lineItems, node: 1))
    }

    /// `order { lineItems(first:) { nodes { sku quantity } } }`.
    static func orderLineItems(first: Int) -> Int {
        1 + connection(first: first, node: 1)
    }

    /// The largest page size up to `limit` (and Shopify's 250) whose query stays within the ceiling; at least 1.
    static func largestPage(upTo limit: Int, cost: (Int) -> Int) -> Int {
        var size = max(1, min(limit, maximumPageSize))
        while size > 1 && cost(size) > singleQueryLimit { size -= 1 }
        return size
    }
}
