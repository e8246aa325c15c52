import Foundation
import Hummingbird
import Synchronization

extension MiraklSimulator {
    /// OF24, OF02, OF21 and OR11.
    package func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/api/offers") { request, _ in
            try await self.api(request) { recorded in self.importOffers(recorded) }
        }
        router.get("/api/offers/imports/:import") { request, context in
            let id = context.parameters.get("import").flatMap { Int($0) } ?? 0
            return try await self.api(request) { _ in self.importStatus(id) }
        }
        router.get("/api/offers") { request, _ in
            try await self.api(request) { _ in self.listOffers(request) }
        }
        router.get("/api/orders") { request, _ in
            try await self.api(request) { _ in self.listOrders(request) }
        }
        return router
    }

    /// Checks the API key and `shop_id` before `handle`; 429s carry `Retry-After`.
    private func api(_ request: Request, _ handle: @escaping (RecordedRequest) -> Response) async throws -> Response {
        try await core.respond(to: request, throttled: { seconds in self.error(429, "Too many requests", retryAfter: seconds) }) { recorded, _ in
            if let scripted = scriptedAnswer() {
                return SimulatorCore.bytes(Array(scripted.body.utf8), status: scripted.status, headers: ["Content-Type": "application/json"])
            }
            guard recorded.header("Authorization") == apiKey else { return error(401, "Unauthorized") }
            if let shop = request.uri.queryParameters.get("shop_id").map({ String($0) }), !shops.contains(shop) {
                return error(403, "Forbidden: shop \(shop) is not accessible to this user")
            }
            return handle(recorded)
        }
    }

    /// OF24: once per interval; each offer line applied or refused on its own.
    private func importOffers(_ request: RecordedRequest) -> Response {
        guard let body = SimulatorCore.parse(request.body) as? [String: Any], let offers = body["offers"] as? [Any] else {
            return error(400, "Invalid request body: offers is required")
        }
        let now = Date()
        let answer = state.withLock { state -> (importID: Int, wait: Int) in
            if let last = state.lastOfferImport, now.timeIntervalSince(last) < offerImportInterval {
                state.refusedOfferImports += 1
                return (0, max(1, Int((offerImportInterval - now.timeIntervalSince(last)).rounded(.up))))
            }
            state.lastOfferImport = now
            var report = OfferImport(linesRead: offers.count, errors: [])
            for line in offers { Self.apply(line as? [String: Any] ?? [:], to: &state.offers, report: &report) }
            let id = state.nextImport
            state.nextImport += 1
            state.imports[id] = report
            return (id, 0)
        }
        guard answer.wait == 0 else { return error(429, "Too many requests", retryAfter: answer.wait) }
        return SimulatorCore.json(["import_id": answer.importID], status: 201)
    }

    /// One OF24 line: every field not sent is reset to its default.
    private static func apply(_ line: [String: Any], to offers: inout [String: Offer], report: inout OfferImport) {
        guard let sku = line["shop_sku"] as? String, !sku.isEmpty else {
            report.errors.append(("", "shop_sku is required"))
            return
        }
        if (line["update_delete"] as? String)?.lowercased() == "delete" {
            if offers.removeValue(forKey: sku) != nil { report.deleted += 1 } else { report.errors.append((sku, "Offer not found")) }
            return
        }
        guard let quantity = line["quantity"] as? Int, (0...1_000_000_000).contains(quantity) else {
            report.errors.append((sku, "The quantity must be an integer between 0 and 1000000000"))
            return
        }
        let product = line["product_id"] as? String
        let existing = offers[sku]
        if let existing, let product, product != existing.productSKU {
            report.errors.append((sku, "The product linked to the new offer is different from the product linked to the existing offer."))
            return
        }
        guard let productSKU = product ?? existing?.productSKU else {
            report.errors.append((sku, "The product-id is required at offer creation"))
            return
        }
        let additional = (line["offer_additional_fields"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) { fields, field in
            if let code = field["code"] as? String { fields[code] = field["value"].map { "\($0)" } ?? "" }
        }
        offers[sku] = Offer(
            shopSKU: sku, productSKU: productSKU, ean: existing?.ean, quantity: quantity, price: (line["price"] as? NSNumber)?.doubleValue,
            stateCode: line["state_code"] as? String, description: line["description"] as? String,
            leadtimeToShip: line["leadtime_to_ship"] as? Int, logisticClass: line["logistic_class"] as? String, additionalFields: additional,
            active: existing?.active ?? true)
        if existing == nil { report.inserted += 1 } else { report.updated += 1 }
    }

    private func importStatus(_ id: Int) -> Response {
        guard let report = state.withLock({ $0.imports[id] }) else { return error(404, "Import \(id) not found") }
        return SimulatorCore.json([
            "import_id": id, "status": "COMPLETE", "reason_status": "", "mode": "NORMAL", "lines_read": report.linesRead,
            "lines_in_success": report.linesRead - report.errors.count, "lines_in_error": report.errors.count, "lines_in_pending": 0,
            "has_error_report": !report.errors.isEmpty, "offer_inserted": report.inserted, "offer_updated": report.updated,
            "offer_deleted": report.deleted, "date_created": ISO8601DateFormatter().string(from: Date()), "type": "AUTO",
        ])
    }

    private func listOffers(_ request: Request) -> Response {
        let (offset, max) = Self.paging(request)
        let offers = state.withLock { Array($0.offers.values) }.sorted { $0.shopSKU < $1.shopSKU }
        return SimulatorCore.json(["offers": offers.dropFirst(offset).prefix(max).map(Self.offerJSON), "total_count": offers.count])
    }

    /// An offer as OF21 lists it.
    private static func offerJSON(_ offer: Offer) -> [String: Any] {
        var json: [String: Any] = [
            "shop_sku": offer.shopSKU, "product_sku": offer.productSKU, "quantity": offer.quantity, "active": offer.active,
            "offer_additional_fields": offer.additionalFields.sorted { $0.key < $1.key }.map {
                ["code": $0.key, "type": "STRING", "value": $0.value]
            },
            "product_references": offer.ean.map { [["reference": $0, "reference_type": "EAN"]] } ?? [],
        ]
        json["price"] = offer.price
        json["state_code"] = offer.stateCode
        json["description"] = offer.description
        json["leadtime_to_ship"] = offer.leadtimeToShip
        json["logistic_class"] = offer.logisticClass.map { ["code": $0, "label": $0] }
        return json
    }

    private func listOrders(_ request: Request) -> Response {
        let (offset, max) = Self.paging(request)
        let format = ISO8601DateFormatter()
        let since = request.uri.queryParameters.get("start_update_date").flatMap { format.date(from: String($0)) }
        let orders = state.withLock { $0.orders }.filter { order in since.map { order.updated >= $0 } ?? true }
            .sorted { ($0.created, $0.id) < ($1.created, $1.id) }
        let page = orders.dropFirst(offset).prefix(max).map { order -> [String: Any] in
            [
                "order_id": order.id, "order_state": order.state, "created_date": format.string(from: order.created),
                "last_updated_date": format.string(from: order.updated),
                "order_lines": order.lines.enumerated().map { index, line -> [String: Any] in
                    [
                        "order_line_id": "\(order.id)-\(index + 1)", "offer_sku": line.offerSKU, "quantity": line.quantity,
                        "order_line_state": line.state ?? order.state,
                    ]
                },
            ]
        }
        return SimulatorCore.json(["orders": Array(page), "total_count": orders.count])
    }

    /// `offset` and `max` (10 when absent, at most 100).
    private static func paging(_ request: Request) -> (offset: Int, max: Int) {
        let offset = request.uri.queryParameters.get("offset").flatMap { Int($0) } ?? 0
        let max = request.uri.queryParameters.get("max").flatMap { Int($0) } ?? 10
        return (Swift.max(offset, 0), Swift.min(Swift.max(max, 1), 100))
    }

    private func error(_ status: Int, _ message: String, retryAfter: Int? = nil) -> Response {
        SimulatorCore.json(["status": status, "message": message], status: status, headers: retryAfter.map { ["Retry-After": String($0)] } ?? [:])
    }
}
