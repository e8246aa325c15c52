import CurlHTTP
import Foundation

/// Settings of a `woocommerce` channel (REST API v3).
public struct WooCommerceConfiguration: Sendable {
    /// The site's root URL; the API lives under `/wp-json/wc/v3`.
    public var siteURL: String
    /// The REST API consumer key (Basic auth user).
    public var consumerKey: String
    /// The REST API consumer secret (Basic auth password).
    public var consumerSecret: String
    /// The secrets webhooks are signed with (two during rotation).
    public var webhookSecrets: [String]
    /// Items per batch call (WooCommerce accepts at most 100).
    public var batchSize: Int
    /// Items per listed page (at most 100).
    public var pageSize: Int

    /// Creates a configuration.
    public init(siteURL: String, consumerKey: String, consumerSecret: String, webhookSecrets: [String] = [], batchSize: Int = 100, pageSize: Int = 100) {
        self.siteURL = siteURL
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.webhookSecrets = webhookSecrets
        self.batchSize = min(batchSize, 100)
        self.pageSize = min(pageSize, 100)
    }
}

/// WooCommerce through REST v3: pooled `stock_quantity` per product or variation, set with the batch endpoints.
/// A listing's external id is the product id (`"123"`) or parent and variation (`"123/456"`).
public struct WooCommerceChannel: Channel {
    /// `woocommerce`.
    public static let kind = "woocommerce"
    /// WooCommerce has no locations: one pooled value per SKU.
    public let modelsLocations = false
    /// The settings.
    public let configuration: WooCommerceConfiguration
    let transport: ChannelTransport

    /// Creates the adapter; `client` is shared with the other channels.
    public init(configuration: WooCommerceConfiguration, client: CurlHTTPClient) {
        self.configuration = configuration
        self.transport = ChannelTransport(
            client: client, baseURL: configuration.siteURL + "/wp-json/wc/v3",
            authorizer: HeaderAuthorizer.basic(user: configuration.consumerKey, password: configuration.consumerSecret)
        )
    }

    /// `POST /products/batch` for products and `POST /products/{parent}/variations/batch` for variations,
    /// at most ``WooCommerceConfiguration/batchSize`` per call; errors in the answer apply item by item.
    public func pushLevels(_ levels: [ChannelLevel]) async -> PushResult {
        var outcomes = [PushOutcome?](repeating: nil, count: levels.count)
        var groups: [String: [(index: Int, id: Int)]] = [:]
        for (index, level) in levels.enumerated() {
            guard level.location == ChannelLevel.pooled else {
                outcomes[index] = .permanent("WooCommerce holds pooled values only")
                continue
            }
            let parts = (level.externalID ?? "").split(separator: "/").compactMap { Int($0) }
            switch parts.count {
            case 1: groups["/products/batch", default: []].append((index, parts[0]))
            case 2: groups["/products/\(parts[0])/variations/batch", default: []].append((index, parts[1]))
            default: outcomes[index] = .permanent("no WooCommerce product id for \(level.sku)")
            }
        }
        for (path, entries) in groups.sorted(by: { $0.key < $1.key }) {
            for batch in entries.chunked(into: configuration.batchSize) {
                let updates = batch.map { entry -> JSON in
                    ["id": .int(entry.id), "manage_stock": true, "stock_quantity": .int(levels[entry.index].value)]
                }
                for (entry, outcome) in zip(batch, await send(path, updates)) {
                    outcomes[entry.index] = outcome
                }
            }
        }
        return PushResult(items: zip(levels, outcomes).map { PushResult.Item(level: $0, outcome: $1 ?? .transient("not sent")) })
    }

    private func send(_ path: String, _ updates: [JSON]) async -> [PushOutcome] {
        let response: HTTPResponse
        do {
            response = try await transport.send(.post, path, json: ["update": .array(updates)])
        } catch {
            return Array(repeating: PushOutcome(error), count: updates.count)
        }
        let outcome = ResponseClassifier.outcome(of: response)
        guard outcome == .ok else { return Array(repeating: outcome, count: updates.count) }
        let answered = ((try? JSON.parse(response.body)) ?? .null)["update"].array
        return updates.indices.map { index in
            guard answered.indices.contains(index) else { return .transient("no answer for this item in the batch response") }
            let error = answered[index]["error"]
            guard !error.isNull else { return .ok }
            let message = "\(error["code"].string ?? "error"): \(error["message"].string ?? "")"
            return (error["data"]["status"].int ?? 400) >= 500 ? .transient(message) : .permanent(message)
        }
    }

    /// Products page by page (`page`, `per_page`, `X-WP-TotalPages`), with the variations of variable products.
    public func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot> {
        let page = cursor.flatMap { Int($0) } ?? 1
        let (products, response) = try await transport.call(
            .get, "/products", query: [("page", String(page)), ("per_page", String(configuration.pageSize))]
        )
        var snapshots: [ChannelLevelSnapshot] = []
        for product in products.array {
            let id = try product["id"].requiredInt("id")
            if product["type"].string == "variable" {
                let (variations, _) = try await transport.call(.get, "/products/\(id)/variations", query: [("per_page", "100")])
                snapshots += variations.array.compactMap { Self.snapshot($0, externalID: "\(id)/\($0["id"].int ?? 0)") }
            } else if let snapshot = Self.snapshot(product, externalID: String(id)) {
                snapshots.append(snapshot)
            }
        }
        let totalPages = response.headers["X-WP-TotalPages"].flatMap { Int($0) } ?? page
        return Page(items: snapshots, nextCursor: page < totalPages ? String(page + 1) : nil, hasMore: page < totalPages)
    }

    private static func snapshot(_ item: JSON, externalID: String) -> ChannelLevelSnapshot? {
        guard item["manage_stock"].bool == true, let quantity = item["stock_quantity"].int else { return nil }
        return ChannelLevelSnapshot(sku: item["sku"].string, location: ChannelLevel.pooled, available: quantity, externalID: externalID)
    }

    /// Orders modified after the cursor (`modified_after`), page by page. The cursor is
    /// `<timestamp>` or, between pages, `<timestamp>|<page>|<latest modification seen>`.
    public func fetchOrders(since cursor: String?) async throws(ChannelError) -> Page<NormalizedEvent> {
        let parts = (cursor ?? "").split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let since = parts.first.flatMap { $0.isEmpty ? nil : $0 } ?? "1970-01-01T00:00:00"
        let page = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
        var latest = parts.count > 2 ? parts[2] : since
        let (orders, response) = try await transport.call(.get, "/orders", query: [
            ("modified_after", since), ("page", String(page)), ("per_page", String(configuration.pageSize)),
        ])
        var events: [NormalizedEvent] = []
        for order in orders.array {
            let id = try order["id"].requiredString("id")
            events += Self.orderEvents(order).map { kind in
                Self.event(order, id: "woocommerce-order-\(id)/\(kind.rawValue)", kind: kind)
            }
            if let modified = order["date_modified_gmt"].string, modified > latest { latest = modified }
        }
        let totalPages = response.headers["X-WP-TotalPages"].flatMap { Int($0) } ?? page
        let hasMore = page < totalPages
        return Page(items: events, nextCursor: hasMore ? "\(since)|\(page + 1)|\(latest)" : latest, hasMore: hasMore)
    }

    /// The events an order's status implies, for reconcile.
    private static func orderEvents(_ order: JSON) -> [NormalizedEvent.Kind] {
        switch order["status"].string {
        case "cancelled", "refunded", "failed": [.orderCancelled]
        case "completed": [.orderCreated, .orderFulfilled]
        default: [.orderCreated]
        }
    }

    /// An order event with the order's lines (for creation) and fulfilment method.
    static func event(_ order: JSON, id: String, kind: NormalizedEvent.Kind) -> NormalizedEvent {
        let pickup = order["shipping_lines"].array.contains { ["local_pickup", "pickup_location"].contains($0["method_id"].string ?? "") }
        return NormalizedEvent(
            id: id, kind: kind, orderRef: order["id"].string,
            lines: kind == .orderCreated ? order["line_items"].array.map { line in
                let variation = line["variation_id"].int ?? 0
                let external = variation == 0 ? line["product_id"].string : "\(line["product_id"].string ?? "")/\(variation)"
                return NormalizedEvent.Line(sku: line["sku"].string, externalID: external, quantity: line["quantity"].int ?? 0)
            } : [],
            fulfillment: order["shipping_lines"].array.isEmpty ? nil : (pickup ? .pickup : .ship),
            occurredAt: Timestamps.parse(order["date_created_gmt"].string)
        )
    }
}
