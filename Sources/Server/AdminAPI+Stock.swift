import Hummingbird
import Ledger

extension AdminAPI {
    private struct PickupAnswer: Encodable {
        var sku: String
        var location: String
        var pickupAvailable: Int
    }

    /// `GET /v1/stock/{sku}` (per location and per channel) and `GET /v1/stores/{location}/pickup/{sku}`.
    func registerStock(read: Group) {
        read.get("/stock/{sku}") { _, context in
            let sku = try context.parameters.require("sku")
            let ledger = ledger
            return JSONBody.response(try await database.run { _ in try ledger.stock(sku: sku) })
        }
        read.get("/stores/{location}/pickup/{sku}") { _, context in
            let sku = try context.parameters.require("sku")
            let location = try context.parameters.require("location")
            let ledger = ledger
            let units = try await database.run { _ in try ledger.pickupAvailable(sku: sku, store: location) }
            return JSONBody.response(PickupAnswer(sku: sku, location: location, pickupAvailable: units))
        }
    }
}
