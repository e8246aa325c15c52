import Hummingbird
import Ledger

extension AdminAPI {
    /// The body of `POST /v1/movements`; which fields are required depends on `type`.
    struct MovementBody: Decodable, Sendable {
        enum Kind: String, Decodable, Sendable {
            case receive, adjust, count, transfer, sell, `return`
        }

        var type: Kind
        var sku: String
        var location: String?
        var quantity: Int?
        var delta: Int?
        var onHand: Int?
        var from: String?
        var to: String?
        var reason: String?
        var reference: String?

        /// The ledger call this movement is, or `invalid_request` naming the missing field.
        func operation(key: String) throws -> @Sendable (StockLedger) throws -> StockChange {
            func required<T>(_ value: T?, _ name: String) throws -> T {
                guard let value else { throw APIError.invalidRequest("a \(type.rawValue) movement needs \(name)") }
                return value
            }
            let body = self
            switch type {
            case .receive:
                let (location, quantity) = (try required(location, "location"), try required(quantity, "quantity"))
                return { try $0.receive(sku: body.sku, location: location, quantity: quantity, reference: body.reference, key: key) }
            case .return:
                let (location, quantity) = (try required(location, "location"), try required(quantity, "quantity"))
                return { try $0.returnStock(sku: body.sku, location: location, quantity: quantity, reference: body.reference, key: key) }
            case .sell:
                let (location, quantity) = (try required(location, "location"), try required(quantity, "quantity"))
                return { try $0.sell(sku: body.sku, location: location, quantity: quantity, reference: body.reference, key: key) }
            case .adjust:
                let (location, delta) = (try required(location, "location"), try required(delta, "delta"))
                let reason = body.reason ?? "manual"
                return { try $0.adjust(sku: body.sku, location: location, delta: delta, reason: reason, reference: body.reference, key: key) }
            case .count:
                let (location, onHand) = (try required(location, "location"), try required(onHand, "on_hand"))
                return { try $0.count(sku: body.sku, location: location, onHand: onHand, reference: body.reference, key: key) }
            case .transfer:
                let (from, to, quantity) = (try required(from, "from"), try required(to, "to"), try required(quantity, "quantity"))
                return { try $0.transfer(sku: body.sku, from: from, to: to, quantity: quantity, reference: body.reference, key: key) }
            }
        }
    }

    /// `POST /v1/movements` (with `Idempotency-Key`): receive, adjust, count, transfer, sell, return.
    func registerMovements(write: Group) {
        write.post("/movements") { request, context in
            var request = request
            let key = try Self.idempotencyKey(request, required: true)!
            let body = try await JSONBody.decode(MovementBody.self, from: &request, limit: maxBodyBytes)
            let operation = try body.operation(key: key)
            let (change, replayed) = try await self.write(key: key, operation)
            return JSONBody.response(change, status: replayed ? .ok : .created)
        }
    }
}
