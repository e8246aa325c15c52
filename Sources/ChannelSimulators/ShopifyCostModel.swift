import Foundation

/// Shopify's calculated query cost and its leaky bucket, from
/// https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits and https://shopify.dev/docs/api/usage/limits:
/// scalars and enums cost 0, objects 1, a connection is sized by its `first`/`last` argument (2 plus that
/// many nodes, each node costing what it selects, so nested connections multiply), a mutation costs 10, and
/// a single query may not request more than 1,000 points whatever the plan.
///
/// Open in the docs, chosen here: without the schema, a field with `first`/`last` is a connection, any other
/// field with a selection set an object (a list of objects such as `quantities` costs as one object), and
/// `pageInfo` is part of the connection's 2. A mutation costs 10 whatever its payload selects.
package enum ShopifyCostModel {
    /// The documented ceiling of one query's requested cost.
    package static let singleQueryLimit = 1000

    /// The requested cost of `query` with `variables`, or nil when it does not parse.
    package static func requestedCost(query: String, variables: [String: Any]) -> Int? {
        (try? GraphQLOperation(parsing: query, variables: variables)).map(requestedCost)
    }

    static func requestedCost(_ operation: GraphQLOperation) -> Int {
        operation.isMutation ? 10 * operation.fields.count : operation.fields.reduce(0) { $0 + cost(of: $1) }
    }

    static func cost(of field: GraphQLOperation.Field) -> Int {
        if let size = (field.arguments["first"] ?? field.arguments["last"]) as? Int {
            let node = field.selection("nodes")?.selections ?? field.selection("edges")?.selection("node")?.selections ?? []
            return 2 + max(size, 0) * (1 + node.reduce(0) { $0 + cost(of: $1) })
        }
        guard !field.selections.isEmpty else { return 0 }
        return 1 + field.selections.reduce(0) { $0 + cost(of: $1) }
    }
}

/// A leaky bucket: Shopify's cost bucket of an app at one shop (below), and the simulators' other documented
/// request limits (Allegro's per-seller offer PATCHes, one point a request).
///
/// The app's bucket at one shop: holds up to `capacity` points, refills at `restoreRate` points per second
/// (https://shopify.dev/docs/api/usage/limits#the-leaky-bucket-algorithm). A query is answered only when the
/// bucket holds its requested cost, which is then taken out.
///
/// Simplification: Shopify refunds the difference between requested and actual cost after the query; the
/// simulator charges the requested cost and refunds nothing (a stricter bucket, never a laxer one).
struct CostBucket {
    /// Points the bucket holds when full (`maximumAvailable`).
    let capacity: Double
    /// Points restored per second (`restoreRate`; the plan's rate limit).
    let restoreRate: Double
    private(set) var available: Double
    private var updated: ContinuousClock.Instant

    init(capacity: Double, restoreRate: Double, now: ContinuousClock.Instant = .now) {
        self.capacity = capacity
        self.restoreRate = restoreRate
        available = capacity
        updated = now
    }

    /// Refills for the time since the last call, then takes `cost` if the bucket holds it.
    mutating func take(_ cost: Int, now: ContinuousClock.Instant = .now) -> Bool {
        let elapsed = (now - updated) / .seconds(1)
        available = min(capacity, available + max(elapsed, 0) * restoreRate)
        updated = now
        guard available >= Double(cost) else { return false }
        available -= Double(cost)
        return true
    }

    /// `extensions.cost` as Shopify returns it (`actualQueryCost` null when the query did not run).
    func extensions(requested: Int, actual: Int?) -> [String: Any] {
        [
            "cost": [
                "requestedQueryCost": requested, "actualQueryCost": actual.map { $0 as Any } ?? NSNull(),
                "throttleStatus": ["maximumAvailable": capacity, "currentlyAvailable": available.rounded(.down), "restoreRate": restoreRate],
            ] as [String: Any]
        ]
    }
}
