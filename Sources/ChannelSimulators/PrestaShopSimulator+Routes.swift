import Foundation
import Hummingbird
import Synchronization

extension PrestaShopSimulator {
    /// Routes under `/api`.
    package func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let api = router.group("/api")
        api.get("/stock_availables") { request, _ in
            try await self.handle(request) { recorded in
                self.list("stock_availables", Self.stockFields, self.state.withLock { Array($0.stock.values) }.map(Self.row), recorded)
            }
        }
        api.get("/stock_availables/:id") { request, context in
            let id = context.parameters.get("id").flatMap { Int($0) } ?? 0
            return try await self.handle(request) { _ in
                guard let stock = self.stock(id) else { return Self.error(404, 87, "Id(s) not exists: \(id)") }
                return SimulatorCore.json(["stock_available": Self.output(Self.row(stock), fields: Self.stockFields)])
            }
        }
        api.put("/stock_availables/:id") { request, context in
            let id = context.parameters.get("id").flatMap { Int($0) } ?? 0
            return try await self.handle(request) { recorded in self.put(id, recorded.body) }
        }
        api.get("/products") { request, _ in
            try await self.handle(request) { recorded in
                let rows = self.state.withLock { Array($0.products.values) }.map {
                    ["id": String($0.id), "reference": $0.reference, "ean13": $0.ean13]
                }
                return self.list("products", ["id", "reference", "ean13"], rows, recorded)
            }
        }
        api.get("/combinations") { request, _ in
            try await self.handle(request) { recorded in
                let rows = self.state.withLock { Array($0.combinations.values) }.map {
                    ["id": String($0.id), "id_product": String($0.productID), "reference": $0.reference, "ean13": $0.ean13]
                }
                return self.list("combinations", ["id", "id_product", "reference", "ean13"], rows, recorded)
            }
        }
        api.get("/order_states") { request, _ in
            try await self.handle(request) { recorded in
                let (count, shipped, paid) = self.state.withLock { ($0.stateCount, $0.shippedStates, $0.paidStates) }
                let rows = (1...count).map { id in
                    ["id": String(id), "shipped": shipped.contains(id) ? "1" : "0", "paid": paid.contains(id) ? "1" : "0"]
                }
                return self.list("order_states", ["id", "shipped", "paid"], rows, recorded)
            }
        }
        api.get("/orders") { request, _ in
            try await self.handle(request) { recorded in self.orders(recorded) }
        }
        return router
    }

    static let stockFields = [
        "id", "id_product", "id_product_attribute", "id_shop", "id_shop_group", "quantity", "depends_on_stock", "out_of_stock", "location",
    ]
    static let orderFields = ["id", "reference", "current_state", "valid", "date_add", "date_upd"]

    /// The key as Basic user (empty password) or `ws_key`; the method among the key's permissions.
    private func handle(_ request: Request, _ body: @escaping (RecordedRequest) -> Response) async throws -> Response {
        try await core.respond(
            to: request, throttled: { seconds in Self.error(429, 0, "Too Many Requests", headers: ["Retry-After": String(seconds)]) }
        ) { recorded, _ in
            let query = WebserviceListQuery(recorded.query)
            let basic = "Basic " + Data("\(key):".utf8).base64EncodedString()
            guard recorded.header("Authorization") == basic || query.parameters["ws_key"] == key else {
                let realm =
                    "Basic realm=\"Welcome to PrestaShop Webservice, please enter the authentication key as the login. No password required.\""
                return Self.error(401, 18, "Invalid authentication key", headers: ["WWW-Authenticate": realm])
            }
            guard state.withLock({ $0.allowedMethods.contains(recorded.method) }) else {
                return Self.error(401, 26, "No permission for this authentication key (\(recorded.method))")
            }
            if let raw = state.withLock({ $0.rawAnswers.isEmpty ? nil : $0.rawAnswers.removeFirst() }) {
                return SimulatorCore.bytes(Array(raw.utf8), status: 200, headers: ["Content-Type": "application/json"])
            }
            guard query.parameters["output_format"] == "JSON" else {
                return SimulatorCore.bytes(
                    Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<prestashop/>".utf8), status: 200, headers: ["Content-Type": "text/xml"])
            }
            return body(recorded)
        }
    }

    /// A list in JSON: `{"<resource>": [rows]}`, or `[]` when nothing matches.
    private func list(_ resource: String, _ fields: [String], _ rows: [[String: String]], _ request: RecordedRequest) -> Response {
        let query = WebserviceListQuery(request.query)
        if let problem = query.problem(fields: Set(fields)) { return Self.error(400, 0, problem) }
        let kept = query.apply(rows.sorted { (Int($0["id"] ?? "") ?? 0) < (Int($1["id"] ?? "") ?? 0) })
        guard !kept.isEmpty else { return SimulatorCore.json([Any]()) }
        let shown = query.displayed(fields)
        return SimulatorCore.json([resource: kept.map { Self.output($0, fields: shown) }])
    }

    private func orders(_ request: RecordedRequest) -> Response {
        let query = WebserviceListQuery(request.query)
        if let problem = query.problem(fields: Set(Self.orderFields)) { return Self.error(400, 0, problem) }
        let orders = state.withLock { $0.orders }
        let rows = orders.map { order -> [String: String] in
            [
                "id": String(order.id), "reference": "REF\(order.id)", "current_state": String(order.state), "valid": "1",
                "date_add": Self.shopDate(order.createdAt), "date_upd": Self.shopDate(order.updatedAt),
            ]
        }
        let kept = query.apply(rows)
        guard !kept.isEmpty else { return SimulatorCore.json([Any]()) }
        let full = query.parameters["display"] == "full"
        let shown = query.displayed(Self.orderFields)
        return SimulatorCore.json([
            "orders": kept.map { row -> [String: Any] in
                var answer = Self.output(row, fields: shown)
                if full, let order = orders.first(where: { String($0.id) == row["id"] }) {
                    answer["associations"] = [
                        "order_rows": order.rows.enumerated().map { index, line -> [String: Any] in
                            [
                                "id": String(order.id * 100 + index), "product_id": String(line.productID),
                                "product_attribute_id": String(line.attributeID), "product_quantity": String(line.quantity),
                                "product_reference": line.reference, "product_name": line.reference,
                            ]
                        }
                    ]
                }
                return answer
            }
        ])
    }

    /// Replaces a stock_available from an XML body holding every required field.
    private func put(_ id: Int, _ body: [UInt8]) -> Response {
        guard let fields = WebserviceXMLReader.fields(of: "stock_available", in: body) else {
            return Self.error(400, 127, "XML error : the body is not a well-formed <prestashop><stock_available> document")
        }
        guard fields["id"] == String(id) else { return Self.error(400, 90, "id is required when modifying a resource") }
        for name in ["id_product", "id_product_attribute", "quantity", "depends_on_stock", "out_of_stock"] where (fields[name] ?? "").isEmpty {
            return Self.error(400, 41, "parameter \"\(name)\" required")
        }
        // `quantity` isInt with a max size of 10: an INT column (https://devdocs.prestashop-project.org/8/webservice/resources/stock_availables).
        guard let quantity = fields["quantity"].flatMap({ Int32($0) }), fields["quantity"]!.count <= 10 else {
            return Self.error(400, 85, "Validation error: \"Property StockAvailable->quantity is not valid\"")
        }
        guard let product = fields["id_product"].flatMap({ Int($0) }), let attribute = fields["id_product_attribute"].flatMap({ Int($0) }),
            let depends = fields["depends_on_stock"].flatMap({ Int($0) }), [0, 1].contains(depends),
            let outOfStock = fields["out_of_stock"].flatMap({ Int($0) })
        else {
            return Self.error(400, 85, "Validation error: a required field is not valid")
        }
        let updated = state.withLock { state -> Stock? in
            guard state.stock[id] != nil else { return nil }
            let row = Stock(
                id: id, productID: product, attributeID: attribute, quantity: Int(quantity), dependsOnStock: depends == 1, outOfStock: outOfStock,
                location: fields["location"] ?? "")
            state.stock[id] = row
            Self.resum(product: product, in: &state)
            return row
        }
        guard let updated else { return Self.error(404, 87, "Id(s) not exists: \(id)") }
        return SimulatorCore.json(["stock_available": Self.output(Self.row(updated), fields: Self.stockFields)])
    }

    static func row(_ stock: Stock) -> [String: String] {
        [
            "id": String(stock.id), "id_product": String(stock.productID), "id_product_attribute": String(stock.attributeID), "id_shop": "1",
            "id_shop_group": "0", "quantity": String(stock.quantity), "depends_on_stock": stock.dependsOnStock ? "1" : "0",
            "out_of_stock": String(stock.outOfStock), "location": stock.location,
        ]
    }

    /// The shown fields; `id` as a number, the others as text.
    static func output(_ row: [String: String], fields: [String]) -> [String: Any] {
        var answer: [String: Any] = [:]
        for field in fields {
            answer[field] = field == "id" ? (Int(row["id"] ?? "") ?? 0) as Any : (row[field] ?? "") as Any
        }
        return answer
    }

    static func error(_ status: Int, _ code: Int, _ message: String, headers: [String: String] = [:]) -> Response {
        SimulatorCore.json(["errors": [["code": code, "message": message]]], status: status, headers: headers)
    }
}
