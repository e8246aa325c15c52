import Foundation
import Ledger
import PostgresClient

/// A migrated test database with a small catalogue: two warehouses, two stores (one with click-and-collect
/// and a pickup buffer of 1) and a handful of SKUs.
package struct LedgerFixture: Sendable {
    package let database: TestDatabase
    package let ledger: StockLedger
    package let catalog: Catalog

    package static let warehouse = "wh-main"
    package static let secondWarehouse = "wh-south"
    package static let store = "store-krakow"
    package static let plainStore = "store-gdansk"

    package init(skus: [String] = ["TSHIRT-RED-M", "MUG", "CAP"], maxConnections: Int = 8) throws {
        database = try TestDatabase.make(maxConnections: maxConnections)
        ledger = StockLedger(pool: database.pool)
        catalog = Catalog(pool: database.pool)
        try catalog.upsertLocation(LocationDefinition(code: Self.warehouse, name: "Main", kind: .warehouse))
        try catalog.upsertLocation(LocationDefinition(code: Self.secondWarehouse, name: "South", kind: .warehouse))
        try catalog.upsertLocation(
            LocationDefinition(
                code: Self.store, name: "Kraków Galeria", kind: .store, shipsOnline: false, clickAndCollect: true, pickupBuffer: 1))
        try catalog.upsertLocation(LocationDefinition(code: Self.plainStore, name: "Gdańsk", kind: .store, shipsOnline: false))
        for sku in skus { try catalog.upsertSKU(sku, name: sku.lowercased()) }
    }

    /// A fresh idempotency key.
    package static func key(_ prefix: String = "k") -> String { "\(prefix)-\(UUID().uuidString)" }

    /// Runs a query and returns its single integer.
    package func scalar(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> Int {
        try database.pool.query(sql, parameters) { try $0[0].decode(Int.self, at: 0) }
    }
}
