import Foundation
import Hummingbird
import Synchronization

extension WooCommerceSimulator {
    /// Routes under `/wp-json/wc/v3`.
    package func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let api = router.group("/wp-json/wc/v3")
        api.post("/products/batch") { request, _ in
            try await self.handle(request) { recorded in self.batch(recorded, parent: nil) }
        }
        api.post("/products/:parent/variations/batch") { request, context in
            let parent = context.parameters.get("parent").flatMap { Int($0) } ?? 0
            return try await self.handle(request) { recorded in self.batch(recorded, parent: parent) }
        }
        api.get("/products") { request, _ in
            try await self.handle(request) { _ in
                let products = self.state.withLock { $0.products.values.filter { $0.type != "variation" } }.sorted { $0.id < $1.id }
                return self.paged(products.map(self.productJSON), request)
            }
        }
        api.get("/products/:parent/variations") { request, context in
            let parent = context.parameters.get("parent").flatMap { Int($0) } ?? 0
            return try await self.handle(request) { _ in
                let variations = self.state.withLock { $0.products.values.filter { $0.parentID == parent } }.sorted { $0.id < $1.id }
                return self.paged(variations.map(self.productJSON), request)
            }
        }
        api.get("/orders") { request, _ in
            try await self.handle(request) { _ in
                let gmt = request.uri.queryParameters.get("dates_are_gmt").map { ["true", "1"].contains(String($0)) } ?? false
                let after = request.uri.queryParameters.get("modified_after").flatMap { self.filterDate(String($0), gmt: gmt) } ?? .distantPast
                let orders = self.state.withLock { $0.orders }.filter { $0.modifiedAt > after }.sorted { $0.id < $1.id }
                return self.paged(orders.map(self.orderPayload), request)
            }
        }
        return router
    }

    private func handle(_ request: Request, _ body: @escaping (RecordedRequest) -> Response) async throws -> Response {
        try await core.respond(to: request) { recorded, _ in
            guard recorded.header("Authorization") == authorization else {
                return Self.error("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", status: 401)
            }
            return body(recorded)
        }
    }

    private func batch(_ request: RecordedRequest, parent: Int?) -> Response {
        guard let body = SimulatorCore.parse(request.body) as? [String: Any], let updates = body["update"] as? [[String: Any]] else {
            return Self.error("rest_invalid_param", "Invalid parameter(s): update", status: 400)
        }
        guard updates.count <= 100 else {
            return Self.error("woocommerce_rest_request_entity_too_large", "Unable to accept more than 100 items for this request.", status: 413)
        }
        // Only Sendable values leave the lock: the updated product, or nil for an unknown id.
        let updated = state.withLock { state in
            updates.map { update -> Product? in
                let id = update["id"] as? Int ?? 0
                guard var product = state.products[id], parent == nil ? product.type != "variation" : product.parentID == parent else {
                    return nil
                }
                // The REST controller's stock handling: nothing while the store does not manage stock; else
                // `manage_stock` first, then the quantity only for a product that manages stock, cleared otherwise.
                if state.storeManagesStock {
                    if let manage = update["manage_stock"] as? Bool { product.manageStock = manage }
                    if !product.manageStock {
                        product.stock = nil
                    } else if let quantity = update["stock_quantity"] as? Int {
                        product.stock = quantity
                    }
                }
                state.products[id] = product
                return product
            }
        }
        let answers = zip(updates, updated).map { update, product -> [String: Any] in
            if let product { return productJSON(product) }
            let code = parent == nil ? "woocommerce_rest_product_invalid_id" : "woocommerce_rest_product_variation_invalid_id"
            return ["id": update["id"] ?? 0, "error": ["code": code, "message": "Invalid ID.", "data": ["status": 400]]]
        }
        return SimulatorCore.json(["update": answers])
    }

    private func productJSON(_ product: Product) -> [String: Any] {
        [
            "id": product.id, "sku": product.sku, "global_unique_id": product.globalUniqueID, "type": product.type, "parent_id": product.parentID,
            "manage_stock": product.manageStock,
            "stock_quantity": product.manageStock ? product.stock.map { $0 as Any } ?? NSNull() : NSNull(),
            "stock_status": !product.manageStock || (product.stock ?? 0) > 0 ? "instock" : "outofstock",
        ]
    }

    private func paged(_ items: [[String: Any]], _ request: Request) -> Response {
        let perPage = max(request.uri.queryParameters.get("per_page").flatMap { Int($0) } ?? 10, 1)
        let page = max(request.uri.queryParameters.get("page").flatMap { Int($0) } ?? 1, 1)
        let totalPages = max((items.count + perPage - 1) / perPage, 1)
        let slice = Array(items.dropFirst((page - 1) * perPage).prefix(perPage))
        return SimulatorCore.json(slice, headers: ["X-WP-Total": String(items.count), "X-WP-TotalPages": String(totalPages)])
    }

    private static func error(_ code: String, _ message: String, status: Int) -> Response {
        SimulatorCore.json(["code": code, "message": message, "data": ["status": status]], status: status)
    }

    /// The filter value's wall-clock digits (a zone suffix is ignored, as WordPress's date query does), read in
    /// GMT with `dates_are_gmt`, else in the site's time zone.
    private func filterDate(_ text: String, gmt: Bool) -> Date? {
        let digits = String(text.prefix(19))
        return Self.wallClock(in: gmt ? TimeZone(identifier: "UTC")! : siteTimeZone).date(from: digits)
    }
}
