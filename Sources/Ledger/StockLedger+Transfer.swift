extension StockLedger {
    private struct TransferRequest: Codable, Sendable {
        var sku: String
        var from: String
        var to: String
        var quantity: Int
        var reference: String?
    }

    /// Moves units between locations atomically: both movements or neither.
    /// Refused when the source's `available` is too low.
    package func transfer(
        sku: String, from source: String, to destination: String, quantity: Int, reference: String? = nil, key: String
    ) throws -> StockChange {
        try QuantityRange.requirePositive(quantity)
        guard source != destination else { throw LedgerError.invalidArgument("a transfer needs two different locations") }
        let request = TransferRequest(sku: sku, from: source, to: destination, quantity: quantity, reference: reference)
        return try idempotent(key: key, kind: "transfer", request: request) { connection in
            let out = LevelChange(
                sku: sku, location: source, delta: -quantity, reason: .transferOut, reference: reference,
                movementKey: key + ":out")
            let into = LevelChange(
                sku: sku, location: destination, delta: quantity, reason: .transferIn, reference: reference,
                movementKey: key + ":in")
            let (sourceLevel, outID) = try applyOrExplain(out, requested: quantity, on: connection)
            let (destinationLevel, inID) = try applyOrExplain(into, requested: 0, on: connection)
            return StockChange(movementIDs: [outID, inID], levels: [sourceLevel, destinationLevel])
        }
    }
}
