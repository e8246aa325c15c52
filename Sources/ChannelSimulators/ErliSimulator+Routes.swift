import Foundation
import Hummingbird
import Synchronization

extension ErliSimulator {
    /// Products (single and batch writes, search) and the order search.
    package func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.patch("/products/batch-update") { request, _ in
            try await self.api(request) { body in self.batchUpdate(body) }
        }
        router.post("/products/_search") { request, _ in
            try await self.api(request) { body in self.searchProducts(body) }
        }
        router.patch("/products/:externalId") { request, context in
            let id = context.parameters.get("externalId") ?? ""
            return try await self.api(request) { body in
                let (status, answer) = self.update(id, body as? [String: Any] ?? [:])
                return SimulatorCore.json(answer, status: status)
            }
        }
        router.post("/orders/_search") { request, _ in
            try await self.api(request) { body in self.searchOrders(body) }
        }
        return router
    }

    /// Checks the bearer key and parses the JSON body before `handle`; a queued raw answer replaces the answer.
    private func api(_ request: Request, _ handle: @escaping (Any?) -> Response) async throws -> Response {
        try await core.respond(to: request) { recorded, _ in
            guard recorded.header("Authorization") == "Bearer \(apiKey)" else {
                return Self.error("Unauthorized", "invalid API key", status: 401)
            }
            if let raw = state.withLock({ $0.rawAnswers.isEmpty ? nil : $0.rawAnswers.removeFirst() }) {
                return SimulatorCore.bytes(Array(raw.utf8), status: 200, headers: ["Content-Type": "application/json"])
            }
            let body = recorded.body.isEmpty ? nil : SimulatorCore.parse(recorded.body)
            if !recorded.body.isEmpty, body == nil { return Self.error("ValidationError", "invalid JSON body", status: 400) }
            return handle(body)
        }
    }

    /// One product write: the status and the answer (`ProductUpdateResponse` or `Error`).
    private func update(_ id: String, _ fields: [String: Any]) -> (Int, Any) {
        let stock = fields["stock"]
        if let stock, !Self.isStock(stock) {
            return (400, Self.errorBody("ValidationError", "stock must be an integer from -2000000000 to 2000000000"))
        }
        let value = (stock as? NSNumber)?.intValue
        let now = Date()
        let updated = state.withLock { state -> [String]? in
            Self.applyDue(&state, now: now)
            guard let product = state.products[id] else { return nil }
            guard let value, !product.frozenStock else { return [] }
            state.writes.append(Write(externalId: id, stock: value, due: now.addingTimeInterval(applyDelay)))
            return ["stock"]
        }
        guard let updated else { return (404, Self.errorBody("NotFound", "product \(id) not found")) }
        return (202, ["updatedFields": updated])
    }

    private func batchUpdate(_ body: Any?) -> Response {
        guard let items = body as? [Any] else { return Self.error("ValidationError", "body must be an array", status: 400) }
        let answers = items.map { item -> [String: Any] in
            let fields = item as? [String: Any] ?? [:]
            guard let id = fields["externalId"] as? String else {
                return ["externalId": "", "status": 400, "error": Self.errorBody("ValidationError", "externalId is required")]
            }
            let (status, answer) = update(id, fields)
            return status == 202 ? ["externalId": id, "status": status, "result": answer] : ["externalId": id, "status": status, "error": answer]
        }
        return SimulatorCore.json(answers)
    }

    /// `limit` 1…200 (default 50) and `order` from `pagination`, or a `400` answer.
    private func pagination(_ body: Any?) -> (limit: Int, after: String?, ascending: Bool)? {
        let pagination = (body as? [String: Any])?["pagination"] as? [String: Any] ?? [:]
        let limit = pagination["limit"].map { ($0 as? NSNumber)?.intValue ?? 0 } ?? 50
        guard (1...200).contains(limit) else { return nil }
        return (limit, pagination["after"] as? String, (pagination["order"] as? String ?? "ASC") == "ASC")
    }

    private func searchProducts(_ body: Any?) -> Response {
        guard let page = pagination(body) else { return Self.error("ValidationError", "pagination.limit must be 1…200", status: 400) }
        let products = state.withLock { state in
            Self.applyDue(&state, now: Date())
            return Array(state.products.values)
        }
        let sorted = products.sorted { page.ascending ? $0.externalId < $1.externalId : $0.externalId > $1.externalId }
        let after = sorted.filter { product in
            guard let after = page.after else { return true }
            return page.ascending ? product.externalId > after : product.externalId < after
        }
        return SimulatorCore.json(after.prefix(page.limit).map(Self.productJSON))
    }

    private func searchOrders(_ body: Any?) -> Response {
        guard let page = pagination(body) else { return Self.error("ValidationError", "pagination.limit must be 1…200", status: 400) }
        let filter = (body as? [String: Any])?["filter"] as? [String: Any]
        guard let matches = Self.orderFilter(filter) else {
            return Self.error("ValidationError", "filter: only field created/updated with =, >, >=, <, <= is modelled", status: 400)
        }
        let orders = state.withLock { Array($0.orders.values) }.filter(matches).sorted { Self.cursor($0) < Self.cursor($1) }
        let after = orders.filter { order in page.after.map { Self.cursor(order) > Self.key($0) } ?? true }
        return SimulatorCore.json(after.prefix(page.limit).map(Self.orderJSON))
    }

    /// An `OrderFilter` comparing `created` or `updated` with a date-time (`field`, `operator`, `value`); no filter
    /// matches every order. Other filters (ids, payment status, e-mail, and/or/not) are not modelled: nil.
    private static func orderFilter(_ filter: [String: Any]?) -> ((Order) -> Bool)? {
        guard let filter else { return { _ in true } }
        guard ["created", "updated"].contains(filter["field"] as? String ?? ""), let text = filter["value"] as? String,
            let value = ISO8601DateFormatter().date(from: text)
        else { return nil }
        switch filter["operator"] as? String {
        case "=": return { $0.updated == value }
        case ">": return { $0.updated > value }
        case ">=": return { $0.updated >= value }
        case "<": return { $0.updated < value }
        case "<=": return { $0.updated <= value }
        default: return nil
        }
    }

    /// The sort key of an order: seconds (fixed width) and id.
    private static func cursor(_ order: Order) -> String {
        key("\(Int(order.updated.timeIntervalSince1970));\(order.id)")
    }

    /// A `pagination.after` cursor as a comparable key.
    private static func key(_ cursor: String) -> String {
        let parts = cursor.split(separator: ";", maxSplits: 1).map(String.init)
        let seconds = Int(parts.first ?? "") ?? 0
        return String(format: "%012ld;", seconds) + (parts.count > 1 ? parts[1] : "")
    }

    private static func productJSON(_ product: Product) -> [String: Any] {
        var json: [String: Any] = [
            "externalId": product.externalId, "stock": product.stock, "archived": product.archived, "status": "active",
            "frozen": ["stock": product.frozenStock],
        ]
        if let ean = product.ean { json["ean"] = ean }
        return json
    }

    private static func orderJSON(_ order: Order) -> [String: Any] {
        let format = ISO8601DateFormatter()
        return [
            "id": order.id, "status": order.status, "sellerStatus": order.sellerStatus, "totalPrice": 4999 * order.items.count,
            "created": format.string(from: order.updated), "updated": format.string(from: order.updated),
            "cursor": "\(Int(order.updated.timeIntervalSince1970));\(order.id)",
            "delivery": ["name": "Paczkomat InPost", "typeId": "inpostParcelLocker", "price": 999, "cod": false],
            "items": order.items.enumerated().map { index, line -> [String: Any] in
                [
                    "id": index + 1, "externalId": line.externalId, "quantity": line.quantity, "unitPrice": 4999, "name": line.externalId,
                    "slug": line.externalId.lowercased(),
                ]
            },
        ]
    }

    /// Whether `value` is an integer within the documented stock range.
    private static func isStock(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        let double = number.doubleValue
        return double.rounded() == double && (-2_000_000_000...2_000_000_000).contains(double)
    }

    /// The `Error` schema: `name`, `message`, `failureType`, `spanId`, `traceId`.
    static func errorBody(_ name: String, _ message: String) -> [String: Any] {
        ["name": name, "message": message, "failureType": "failure", "spanId": "0", "traceId": UUID().uuidString]
    }

    static func error(_ name: String, _ message: String, status: Int) -> Response {
        SimulatorCore.json(errorBody(name, message), status: status)
    }
}
