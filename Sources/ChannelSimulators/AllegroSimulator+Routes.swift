import Foundation
import Hummingbird
import Synchronization

extension AllegroSimulator {
    /// The token endpoint, offers, publication commands, order events and checkout forms.
    package func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/auth/oauth/token") { request, _ in
            try await self.core.respond(to: request) { recorded, _ in self.token(recorded) }
        }
        router.patch("/sale/product-offers/:offer") { request, context in
            let offer = context.parameters.get("offer") ?? ""
            return try await self.api(request, body: true) { recorded in self.patchOffer(offer, recorded) }
        }
        router.get("/sale/product-offers/:offer") { request, context in
            let offer = context.parameters.get("offer") ?? ""
            return try await self.api(request) { _ in
                guard let found = self.offer(offer) else { return self.errors("NOT_FOUND", "Offer \(offer) not found", status: 404) }
                return self.json(self.productOfferJSON(found))
            }
        }
        router.put("/sale/offer-publication-commands/:command") { request, context in
            let command = context.parameters.get("command") ?? ""
            return try await self.api(request, body: true) { recorded in self.publish(command, recorded) }
        }
        router.get("/sale/offers") { request, _ in
            try await self.api(request) { _ in self.listOffers(request) }
        }
        router.get("/order/events") { request, _ in
            try await self.api(request) { _ in self.listEvents(request) }
        }
        router.get("/order/checkout-forms/:form") { request, context in
            let form = context.parameters.get("form") ?? ""
            return try await self.api(request) { _ in
                let status = self.state.withLock { $0.fulfillment[form] } ?? "NEW"
                return self.json(["id": form, "status": "READY_FOR_PROCESSING", "fulfillment": ["status": status]])
            }
        }
        return router
    }

    /// Checks the bearer token and Allegro's media type headers before `body`.
    private func api(_ request: Request, body expectsBody: Bool = false, _ handle: @escaping (RecordedRequest) -> Response) async throws -> Response {
        try await core.respond(to: request) { recorded, _ in
            let token = recorded.header("Authorization").map { String($0.dropFirst("Bearer ".count)) } ?? ""
            guard state.withLock({ $0.accessTokens.contains(token) }) else {
                return SimulatorCore.json(["error": "invalid_token", "error_description": "Invalid access token"], status: 401)
            }
            guard recorded.header("Accept") == Self.mediaType else {
                return errors("NotAcceptableException", "Accept must be \(Self.mediaType)", status: 406)
            }
            if expectsBody, recorded.header("Content-Type") != Self.mediaType {
                return errors("UnsupportedMediaTypeException", "Content-Type must be \(Self.mediaType)", status: 415)
            }
            return handle(recorded)
        }
    }

    private func token(_ request: RecordedRequest) -> Response {
        guard request.header("Authorization") == clientAuthorization else {
            return SimulatorCore.json(["error": "unauthorized", "error_description": "Bad client credentials"], status: 401)
        }
        let form = Dictionary(
            request.bodyText.split(separator: "&").map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }, uniquingKeysWith: { _, last in last })
        let issued = state.withLock { state -> (String, String)? in
            guard form["grant_type"] == "refresh_token", form["refresh_token"] == state.refreshToken else { return nil }
            state.nextID += 1
            let access = "access-\(state.nextID)"
            state.accessTokens.insert(access)
            state.refreshToken = "refresh-\(state.nextID)"
            return (access, state.refreshToken)
        }
        guard let (access, refresh) = issued else {
            return SimulatorCore.json(["error": "invalid_grant", "error_description": "Invalid refresh token"], status: 400)
        }
        return SimulatorCore.json([
            "access_token": access, "token_type": "bearer", "refresh_token": refresh, "expires_in": 43199,
            "scope": "allegro:api:sale:offers:write allegro:api:orders:read", "allegro_api": true, "jti": UUID().uuidString,
        ])
    }

    private func patchOffer(_ id: String, _ request: RecordedRequest) -> Response {
        guard
            state.withLock({ state in
                let admitted = state.patchBucket.take(1)
                if !admitted { state.refusedPatches += 1 }
                return admitted
            })
        else {
            return errors("TOO_MANY_REQUESTS", "Too many requests", status: 429)
        }
        let body = SimulatorCore.parse(request.body) as? [String: Any]
        guard let available = (body?["stock"] as? [String: Any])?["available"] as? Int, available >= 0 else {
            return errors("VALIDATION_ERROR", "stock.available must be a number ≥ 0", status: 422)
        }
        let updated = state.withLock { state -> Offer? in
            guard var offer = state.offers[id] else { return nil }
            Self.setStock(&offer, to: available)
            state.offers[id] = offer
            return offer
        }
        guard let updated else { return errors("NOT_FOUND", "Offer \(id) not found", status: 404) }
        return json(productOfferJSON(updated))
    }

    private func publish(_ command: String, _ request: RecordedRequest) -> Response {
        let body = SimulatorCore.parse(request.body) as? [String: Any]
        let action = (body?["publication"] as? [String: Any])?["action"] as? String ?? ""
        let offers = ((body?["offerCriteria"] as? [[String: Any]])?.first?["offers"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        guard ["END", "ACTIVATE"].contains(action), !offers.isEmpty else {
            return errors("VALIDATION_ERROR", "publication.action and offerCriteria are required", status: 422)
        }
        state.withLock { state in
            guard state.commands[command] == nil else { return }
            state.commands[command] = (action, offers)
            for id in offers {
                guard var offer = state.offers[id] else { continue }
                if action == "END" {
                    offer.status = "ENDED"
                    offer.endedBy = "USER"
                } else if offer.available > 0 {
                    offer.status = "ACTIVE"
                    offer.endedBy = nil
                }
                state.offers[id] = offer
            }
        }
        return json(["id": command, "taskCount": ["total": offers.count, "success": 0, "failed": 0]], status: 201)
    }

    private func listOffers(_ request: Request) -> Response {
        let limit = request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 20
        let offset = request.uri.queryParameters.get("offset").flatMap { Int($0) } ?? 0
        let offers = state.withLock { Array($0.offers.values) }.sorted { $0.id < $1.id }
        let page = offers.dropFirst(offset).prefix(limit).map(offerJSON)
        return json(["offers": Array(page), "count": page.count, "totalCount": offers.count])
    }

    private func listEvents(_ request: Request) -> Response {
        let limit = request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 100
        let from = request.uri.queryParameters.get("from").map { String($0) }
        let (events, offers) = state.withLock { ($0.events, $0.offers) }
        let start = from.flatMap { id in events.firstIndex { $0.id == id }.map { $0 + 1 } } ?? 0
        let format = ISO8601DateFormatter()
        let page = events.dropFirst(start).prefix(limit).map { event -> [String: Any] in
            [
                "id": event.id, "type": event.type, "occurredAt": format.string(from: event.occurredAt),
                "order": [
                    "seller": ["id": "seller-1"], "buyer": ["id": "buyer-1", "login": "buyer", "email": "buyer@example.com", "guest": false],
                    "checkoutForm": ["id": event.checkoutForm],
                    "lineItems": event.lines.enumerated().map { index, line -> [String: Any] in
                        [
                            "id": "\(event.checkoutForm)-\(index)", "quantity": line.quantity,
                            "offer": ["id": line.offer, "name": offers[line.offer]?.sku ?? "", "external": ["id": offers[line.offer]?.sku ?? ""]],
                            "price": ["amount": "49.99", "currency": "PLN"], "boughtAt": format.string(from: event.occurredAt),
                        ]
                    },
                ],
            ]
        }
        return json(["events": Array(page)])
    }

    /// An offer as `GET /sale/offers` lists it: the publication status without `endedBy`.
    private func offerJSON(_ offer: Offer) -> [String: Any] {
        [
            "id": offer.id, "name": offer.sku, "external": ["id": offer.sku], "stock": ["available": offer.available, "sold": 0],
            "publication": ["status": offer.status],
        ]
    }

    /// An offer as `GET`/`PATCH /sale/product-offers/{id}` answer it: with `publication.endedBy` once ended.
    private func productOfferJSON(_ offer: Offer) -> [String: Any] {
        var publication: [String: Any] = ["status": offer.status, "republish": false]
        if let endedBy = offer.endedBy { publication["endedBy"] = endedBy }
        return [
            "id": offer.id, "name": offer.sku, "external": ["id": offer.sku], "stock": ["available": offer.available, "unit": "UNIT"],
            "publication": publication,
        ]
    }

    private func json(_ value: Any, status: Int = 200) -> Response {
        SimulatorCore.json(value, status: status, contentType: Self.mediaType)
    }

    private func errors(_ code: String, _ message: String, status: Int) -> Response {
        json(["errors": [["code": code, "message": message, "details": NSNull(), "path": NSNull(), "userMessage": message]]], status: status)
    }
}
