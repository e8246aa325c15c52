extension StockLedger {
    private struct QuantityRequest: Codable, Sendable {
        var sku: String
        var location: String
        var quantity: Int
        var reference: String?
    }

    /// Adds received goods to on hand (reason `receipt`).
    package func receive(sku: String, location: String, quantity: Int, reference: String? = nil, key: String) throws -> StockChange {
        try addStock(sku: sku, location: location, quantity: quantity, reason: .receipt, reference: reference, key: key)
    }

    /// Puts returned units back on hand (reason `return`).
    package func returnStock(sku: String, location: String, quantity: Int, reference: String? = nil, key: String) throws -> StockChange {
        try addStock(sku: sku, location: location, quantity: quantity, reason: .return, reference: reference, key: key)
    }

    /// Sells units that were not reserved (a walk-in sale, say). Refused when `available` is too low.
    package func sell(sku: String, location: String, quantity: Int, reference: String? = nil, key: String) throws -> StockChange {
        try QuantityRange.requirePositive(quantity)
        let request = QuantityRequest(sku: sku, location: location, quantity: quantity, reference: reference)
        let change = LevelChange(sku: sku, location: location, delta: -quantity, reason: .sale, reference: reference, movementKey: key)
        return try record(change, kind: "sell", request: request, requested: quantity)
    }

    private func addStock(
        sku: String, location: String, quantity: Int, reason: MovementReason, reference: String?, key: String
    ) throws -> StockChange {
        try QuantityRange.requirePositive(quantity)
        let request = QuantityRequest(sku: sku, location: location, quantity: quantity, reference: reference)
        let change = LevelChange(sku: sku, location: location, delta: quantity, reason: reason, reference: reference, movementKey: key)
        return try record(change, kind: reason.rawValue, request: request, requested: 0)
    }
}
