import ChannelVocabulary
import CurlHTTP
import Foundation

import struct HTTPTypes.HTTPFields

/// A self-hosted PrestaShop 1.7/8.x shop through its webservice (`<shop>/api`): the pooled value of a product or
/// combination is its stock_available `quantity`. A listing's external id is the stock_available id; its SKU is the
/// `reference` of the product or combination, its barcode the `ean13`. Core PrestaShop sends no webhooks: orders
/// are polled by `date_upd`.
package struct PrestaShopChannel: Channel {
    /// `prestashop`.
    package static let kind = "prestashop"
    /// One pooled value per product or combination; listings are stock_availables found by reference or EAN-13;
    /// orders only by polling.
    package static let capabilities = ChannelCapabilities(needsListings: true, matchesBarcodes: true, pollsOrders: true)
    /// The settings.
    package let configuration: PrestaShopConfiguration
    let transport: ChannelTransport

    /// The configured choice for rows that allow orders when out of stock.
    package var untrackedStock: UntrackedStockPolicy { configuration.unmanaged }

    /// Creates the adapter; `client` is shared with the other channels.
    package init(configuration: PrestaShopConfiguration, client: CurlHTTPClient) {
        self.configuration = configuration
        // The key is the Basic user with an empty password (the `ws_key` query parameter would put it in access logs).
        // https://devdocs.prestashop-project.org/8/webservice/tutorials/testing-access
        self.transport = ChannelTransport(
            client: client, baseURL: configuration.shopURL + "/api", authorizer: HeaderAuthorizer.basic(user: configuration.key, password: ""))
    }

    /// One stock_available per request: the webservice has no batch update
    /// (https://devdocs.prestashop-project.org/8/webservice/reference/).
    package var largestBatch: Int { 1 }

    /// ``PrestaShopConfiguration/pushRate``: a self-hosted shop documents no limit.
    package var pushRequestRate: Double? { configuration.pushRate }

    /// Per level: `GET /api/stock_availables/{id}`, then `PUT` of the whole resource as XML with the new `quantity`
    /// (a PUT replaces the resource and every required field must be sent; PATCH exists only from 8.x).
    /// A row driven by advanced stock management (`depends_on_stock = 1`) is refused: its quantity follows the
    /// warehouses. A row allowing orders when out of stock (`out_of_stock = 1`) gets `out_of_stock = 0` with
    /// `unmanaged = "enable"`; with `"flag"` it keeps it and is refused with an `unmanaged_listing` issue.
    package func pushLevels(_ levels: [ChannelLevel]) async -> PushResult {
        await PushResult.oneByOne(levels) { level in
            let (outcome, issue) = await push(level)
            return PushResult.Item(level: level, outcome: outcome, issue: issue)
        }
    }

    private func push(_ level: ChannelLevel) async -> (PushOutcome, ListingIssue?) {
        guard level.location == ChannelLevel.pooled else { return (.permanent("PrestaShop holds pooled values only"), nil) }
        guard let id = level.externalID.flatMap({ Int($0) }), id > 0 else {
            return (.permanent("no PrestaShop stock_available for \(level.sku)"), nil)
        }
        // `quantity` is isInt with at most 10 digits: a signed 32-bit column.
        // https://devdocs.prestashop-project.org/8/webservice/resources/stock_availables
        guard (0...Int(Int32.max)).contains(level.value) else {
            return (.permanent("quantity \(level.value) is outside what PrestaShop stores (0...\(Int32.max))"), nil)
        }
        do {
            let current = try await get("/stock_availables/\(id)", [])["stock_available"]
            guard current["depends_on_stock"].int != 1 else {
                return (.permanent("PrestaShop stock_available \(id) follows advanced stock management (depends_on_stock = 1)"), nil)
            }
            let backorders = current["out_of_stock"].int == 1
            let outOfStock = backorders && configuration.unmanaged == .enable ? "0" : current["out_of_stock"].string ?? "2"
            var fields = [
                ("id", String(id)), ("id_product", try current["id_product"].requiredString("id_product")),
                ("id_product_attribute", try current["id_product_attribute"].requiredString("id_product_attribute")),
            ]
            fields += ["id_shop", "id_shop_group"].compactMap { name -> (String, String)? in
                current[name].string.flatMap { $0.isEmpty ? nil : (name, $0) }
            }
            fields += [
                ("quantity", String(level.value)), ("depends_on_stock", current["depends_on_stock"].string ?? "0"), ("out_of_stock", outOfStock),
                ("location", current["location"].string ?? ""),
            ]
            let response = try await transport.send(
                .put, "/stock_availables/\(id)", query: Self.json, rawBody: PrestaShopXML.document("stock_available", fields),
                contentType: "application/xml")
            let outcome = ResponseClassifier.outcome(of: response)
            guard outcome == .ok, backorders, configuration.unmanaged == .flag else { return (outcome, nil) }
            let detail = "PrestaShop stock_available \(id) allows orders when out of stock (out_of_stock = 1): it sells without limit"
            return (.permanent(detail), ListingIssue(kind: .unmanagedListing, detail: detail))
        } catch {
            return (PushOutcome(error), nil)
        }
    }

    /// `GET /api/stock_availables?display=full&sort=[id_ASC]&limit=offset,count`, with the references and EAN-13 of the
    /// page's products and their combinations. The cursor is the offset; the webservice gives no total, so a full
    /// page means another may follow. The product's own row of a product with combinations holds their sum and is
    /// left out (https://devdocs.prestashop-project.org/8/faq/stock).
    package func fetchLevels(cursor: String?) async throws(ChannelError) -> Page<ChannelLevelSnapshot> {
        let offset = max(cursor.flatMap { Int($0) } ?? 0, 0)
        let rows = try await list(
            "stock_availables", [("display", "full"), ("sort", "[id_ASC]"), ("limit", "\(offset),\(configuration.pageSize)")])
        let productIDs = Set(rows.compactMap { $0["id_product"].int })
        var products: [Int: JSON] = [:]
        var combinations: [Int: JSON] = [:]
        if !productIDs.isEmpty {
            let ids = "[" + productIDs.sorted().map(String.init).joined(separator: "|") + "]"
            for product in try await list("products", [("display", "[id,reference,ean13]"), ("filter[id]", ids)]) {
                if let id = product["id"].int { products[id] = product }
            }
            for combination in try await list("combinations", [("display", "[id,id_product,reference,ean13]"), ("filter[id_product]", ids)]) {
                if let id = combination["id"].int { combinations[id] = combination }
            }
        }
        let withCombinations = Set(combinations.values.compactMap { $0["id_product"].int })
        var snapshots: [ChannelLevelSnapshot] = []
        for row in rows {
            let id = try row["id"].requiredString("stock_available id")
            let product = row["id_product"].int ?? 0
            let attribute = row["id_product_attribute"].int ?? 0
            if attribute == 0 && withCombinations.contains(product) { continue }
            let item = attribute == 0 ? products[product] : combinations[attribute]
            snapshots.append(
                ChannelLevelSnapshot(
                    sku: item?["reference"].string.flatMap { $0.isEmpty ? nil : $0 }, location: ChannelLevel.pooled,
                    available: row["quantity"].int ?? 0, externalID: id, tracksStock: row["out_of_stock"].int != 1, barcode: item?["ean13"].string))
        }
        let hasMore = rows.count >= configuration.pageSize
        return Page(items: snapshots, nextCursor: hasMore ? String(offset + rows.count) : nil, hasMore: hasMore)
    }

    /// `output_format=JSON`, sent with every request (https://devdocs.prestashop-project.org/8/webservice/cheat-sheet/).
    static let json = [("output_format", "JSON")]

    /// A GET that must succeed, answered in JSON.
    func get(_ path: String, _ query: [(String, String)]) async throws(ChannelError) -> JSON {
        try await transport.call(.get, path, query: Self.json + query).json
    }

    /// The rows of a list; an empty list is `[]` rather than an object.
    func list(_ resource: String, _ query: [(String, String)]) async throws(ChannelError) -> [JSON] {
        let answer = try await get("/\(resource)", query)
        if case .array = answer { return [] }
        guard case .object = answer else { throw ChannelError(.malformed, "PrestaShop answered \(resource) with neither a list nor an object") }
        return answer[resource].array
    }

    /// PrestaShop sends no webhooks.
    package func verifyWebhook(headers: HTTPFields, body: [UInt8], now: Date) -> WebhookVerdict {
        .rejected("prestashop sends no webhooks")
    }

    /// PrestaShop sends no webhooks.
    package func parseWebhook(headers: HTTPFields, body: [UInt8]) throws(ChannelError) -> [NormalizedEvent] {
        throw ChannelError(.unsupported, "prestashop sends no webhooks")
    }
}
