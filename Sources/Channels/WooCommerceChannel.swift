import ChannelVocabulary
import CurlHTTP
import Foundation

/// WooCommerce through REST v3: pooled `stock_quantity` per product or variation, set with the batch endpoints.
/// A listing's external id is the product id (`"123"`) or parent and variation (`"123/456"`).
package struct WooCommerceChannel: Channel {
    /// `woocommerce`.
    package static let kind = "woocommerce"
    /// No locations (one pooled value per SKU); listings are products or variations, found by SKU or by the
    /// `global_unique_id` barcode (https://woocommerce.github.io/woocommerce-rest-api-docs/#product-properties).
    package static let capabilities = ChannelCapabilities(needsListings: true, matchesBarcodes: true)
    /// The settings.
    package let configuration: WooCommerceConfiguration
    let transport: ChannelTransport

    /// The configured choice for products with stock management off.
    package var untrackedStock: UntrackedStockPolicy { configuration.unmanaged }

    /// Creates the adapter; `client` is shared with the other channels.
    package init(configuration: WooCommerceConfiguration, client: CurlHTTPClient) {
        self.configuration = configuration
        self.transport = ChannelTransport(
            client: client, baseURL: configuration.siteURL + "/wp-json/wc/v3",
            authorizer: HeaderAuthorizer.basic(user: configuration.consumerKey, password: configuration.consumerSecret)
        )
    }

    /// The configured items per batch call (at most ``WooCommerceConfiguration/largestBatch``).
    package var largestBatch: Int { configuration.batchSize }

    /// `POST /products/batch` for products and `POST /products/{parent}/variations/batch` for variations,
    /// at most ``WooCommerceConfiguration/batchSize`` per call; errors in the answer apply item by item.
    ///
    /// WooCommerce stores `stock_quantity` only for a product that manages stock (off by default for new
    /// products). With `unmanaged = "enable"` every update sets `manage_stock: true` as well; with `"flag"` it
    /// sends the quantity alone, and a product the answer shows unmanaged is refused with an `unmanaged_listing` issue.
    package func pushLevels(_ levels: [ChannelLevel]) async -> PushResult {
        var outcomes = [(PushOutcome, ListingIssue?)?](repeating: nil, count: levels.count)
        var groups: [String: [(index: Int, id: Int)]] = [:]
        for (index, level) in levels.enumerated() {
            guard level.location == ChannelLevel.pooled else {
                outcomes[index] = (.permanent("WooCommerce holds pooled values only"), nil)
                continue
            }
            let parts = (level.externalID ?? "").split(separator: "/").compactMap { Int($0) }
            switch parts.count {
            case 1: groups["/products/batch", default: []].append((index, parts[0]))
            case 2: groups["/products/\(parts[0])/variations/batch", default: []].append((index, parts[1]))
            default: outcomes[index] = (.permanent("no WooCommerce product id for \(level.sku)"), nil)
            }
        }
        for (path, entries) in groups.sorted(by: { $0.key < $1.key }) {
            for batch in entries.chunked(into: configuration.batchSize) {
                let updates = batch.map { entry -> JSON in
                    var update: [String: JSON] = ["id": .int(entry.id), "stock_quantity": .int(levels[entry.index].value)]
                    if configuration.unmanaged == .enable { update["manage_stock"] = true }
                    return .object(update)
                }
                for (entry, outcome) in zip(batch, await send(path, updates)) {
                    outcomes[entry.index] = outcome
                }
            }
        }
        return PushResult(
            items: zip(levels, outcomes).map { level, answer in
                PushResult.Item(level: level, outcome: answer?.0 ?? .transient("not sent"), issue: answer?.1)
            })
    }

    private func send(_ path: String, _ updates: [JSON]) async -> [(PushOutcome, ListingIssue?)] {
        let response: HTTPResponse
        do {
            response = try await transport.send(.post, path, json: ["update": .array(updates)])
        } catch {
            return Array(repeating: (PushOutcome(error), nil), count: updates.count)
        }
        let outcome = ResponseClassifier.outcome(of: response)
        guard outcome == .ok else { return Array(repeating: (outcome, nil), count: updates.count) }
        let answered = ((try? JSON.parse(response.body)) ?? .null)["update"].array
        return updates.indices.map { index in
            guard answered.indices.contains(index) else { return (.transient("no answer for this item in the batch response"), nil) }
            let item = answered[index]
            let error = item["error"]
            guard error.isNull else {
                let message = "\(error["code"].string ?? "error"): \(error["message"].string ?? "")"
                return ((error["data"]["status"].int ?? 400) >= 500 ? .transient(message) : .permanent(message), nil)
            }
            // Stock management off after the update: `flag`, or the store-wide option is off.
            guard item["manage_stock"].bool == false else { return (.ok, nil) }
            let detail = "WooCommerce product \(item["id"].string ?? "?") does not manage stock (manage_stock is off)"
            return (.permanent(detail), ListingIssue(kind: .unmanagedListing, detail: detail))
        }
    }

    /// Products page by page (`page`, `per_page`, `X-WP-TotalPages`), with the variations of variable products.
    package func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot> {
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

    /// A product or variation that can hold stock; one with stock management off shows 0 and does not track stock.
    /// Grouped and external products never hold stock and are left out.
    private static func snapshot(_ item: JSON, externalID: String) -> ChannelLevelSnapshot? {
        guard !["grouped", "external"].contains(item["type"].string ?? "") else { return nil }
        let managed = item["manage_stock"].bool == true
        return ChannelLevelSnapshot(
            sku: item["sku"].string, location: ChannelLevel.pooled, available: managed ? item["stock_quantity"].int ?? 0 : 0,
            externalID: externalID, tracksStock: managed, barcode: item["global_unique_id"].string)
    }

    /// An order event with the order's lines (for creation) and fulfilment method.
    static func event(_ order: JSON, id: String, kind: NormalizedEvent.Kind) -> NormalizedEvent {
        let pickup = order["shipping_lines"].array.contains { ["local_pickup", "pickup_location"].contains($0["method_id"].string ?? "") }
        return NormalizedEvent(
            id: id, kind: kind, orderRef: order["id"].string,
            lines: kind == .orderCreated
                ? order["line_items"].array.map { line in
                    let variation = line["variation_id"].int ?? 0
                    let external = variation == 0 ? line["product_id"].string : "\(line["product_id"].string ?? "")/\(variation)"
                    return NormalizedEvent.Line(sku: line["sku"].string, externalID: external, quantity: line["quantity"].int ?? 0)
                } : [],
            fulfillment: order["shipping_lines"].array.isEmpty ? nil : (pickup ? .pickup : .ship),
            occurredAt: Timestamps.parse(order["date_created_gmt"].string)
        )
    }
}
