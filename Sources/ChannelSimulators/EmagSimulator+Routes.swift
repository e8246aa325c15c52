import Foundation
import Hummingbird
import Synchronization

extension EmagSimulator {
    /// Routes under `/api-3`.
    package func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let api = router.group("/api-3")
        api.post("/offer/save") { request, _ in
            try await self.handle(request, group: "others") { body in self.saveOffers(body) }
        }
        api.post("/product_offer/read") { request, _ in
            try await self.handle(request, group: "others") { body in
                self.paged(body) { self.state.withLock { $0.offers.values.sorted { $0.id < $1.id } }.map(Self.offerJSON) }
            }
        }
        api.post("/order/read") { request, _ in
            try await self.handle(request, group: "orders") { body in
                let after = body["modifiedAfter"] as? String ?? ""
                return self.paged(body) {
                    self.state.withLock { $0.orders.values.filter { $0.modified >= after }.sorted { $0.id < $1.id } }.map(Self.orderJSON)
                }
            }
        }
        return router
    }

    private func handle(_ request: Request, group: String, _ answer: @escaping ([String: Any]) -> Response) async throws -> Response {
        try await core.respond(
            to: request,
            throttled: { _ in Self.throttled() },
            handle: { recorded, _ in
                guard recorded.header("Authorization") == authorization else {
                    return SimulatorCore.json(["isError": true, "messages": ["You are not allowed to use this API."], "results": []], status: 403)
                }
                if !admit(group) { return Self.throttled() }
                if let raw = state.withLock({ $0.rawAnswers.isEmpty ? nil : $0.rawAnswers.removeFirst() }) {
                    return SimulatorCore.bytes(raw, status: 200, headers: ["Content-Type": "application/json"])
                }
                guard let body = SimulatorCore.parse(recorded.body) else { return Self.refused("Invalid JSON body") }
                return answer(body as? [String: Any] ?? ["items": body])
            })
    }

    /// Counts the request against its group's one-second window: 12 for orders, 3 for the rest.
    private func admit(_ group: String) -> Bool {
        guard enforcesRateLimits else { return true }
        let now = ContinuousClock.now
        return state.withLock { state in
            let window = (state.recent[group] ?? []).filter { now - $0 < .seconds(1) }
            guard window.count < (group == "orders" ? 12 : 3) else {
                state.recent[group] = window
                return false
            }
            state.recent[group] = window + [now]
            return true
        }
    }

    private static func throttled() -> Response {
        SimulatorCore.json(
            ["message": "API rate limit exceeded"], status: 429, headers: ["X-RateLimit-Limit-3second": "3", "X-RateLimit-Remaining-3second": "0"])
    }

    static func refused(_ messages: String...) -> Response {
        SimulatorCore.json(["isError": true, "messages": messages, "results": []])
    }

    private func saveOffers(_ body: [String: Any]) -> Response {
        guard let offers = body["items"] as? [[String: Any]] else { return Self.refused("Expected a list of offers") }
        guard offers.count <= 50 else { return Self.refused("Maximum 50 entities per request") }
        // Validate the whole request first: a refused request changes nothing.
        var updates: [(id: Int, stock: [Int: Int])] = []
        var errors: [String] = []
        state.withLock { state in
            for offer in offers {
                guard let id = offer["id"] as? Int, let existing = state.offers[id] else {
                    errors.append("Offer \(offer["id"] ?? "without id") does not exist")
                    continue
                }
                var stock: [Int: Int] = [:]
                for entry in offer["stock"] as? [[String: Any]] ?? [] {
                    guard let warehouse = entry["warehouse_id"] as? Int, let value = entry["value"] as? Int, value >= 0 else {
                        errors.append("Offer \(id): invalid stock")
                        continue
                    }
                    stock[warehouse] = value
                }
                if existing.inCampaign, !stock.isEmpty {
                    errors.append("The offer is included in the active campaign BF, thus the stock has NOT been changed.")
                }
                updates.append((id, stock))
            }
            guard errors.isEmpty else { return }
            for update in updates { state.offers[update.id]?.stock.merge(update.stock) { _, new in new } }
        }
        return errors.isEmpty ? SimulatorCore.json(["isError": false, "messages": [], "results": []]) : Self.refused(errors.joined(separator: " "))
    }

    private func paged(_ body: [String: Any], _ items: () -> [[String: Any]]) -> Response {
        let page = body["currentPage"] as? Int ?? 1
        let perPage = body["itemsPerPage"] as? Int ?? 100
        guard (1...100).contains(perPage), page >= 1 else { return Self.refused("itemsPerPage must be between 1 and 100") }
        let all = items()
        let start = min((page - 1) * perPage, all.count)
        return SimulatorCore.json(["isError": false, "messages": [], "results": Array(all[start..<min(start + perPage, all.count)])])
    }

    private static func offerJSON(_ offer: Offer) -> [String: Any] {
        [
            "id": offer.id, "part_number": offer.partNumber, "ean": offer.eans, "status": 1,
            "stock": offer.stock.sorted { $0.key < $1.key }.map { ["warehouse_id": $0.key, "value": $0.value] },
            "general_stock": offer.stock.values.reduce(0, +),
        ]
    }

    private static func orderJSON(_ order: Order) -> [String: Any] {
        [
            "id": order.id, "status": order.status, "modified": order.modified,
            "products": order.products.map { product -> [String: Any] in
                ["product_id": product.productID, "part_number": product.partNumber, "quantity": product.quantity, "status": product.status]
            },
        ]
    }
}
