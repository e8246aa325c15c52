import Foundation
import Ledger

/// Movements per second through the bulk path (`importStock`: COPY, then set-based count movements).
struct IngestBench {
    let ledger: StockLedger
    let location: String

    func movementsPerSecond(skus: Int) throws -> Double {
        let rows = (0..<skus).map { StockImportRow(line: $0 + 2, sku: BenchCatalog.sku($0), location: location, onHand: 10 + $0 % 50) }
        let started = Date()
        let summary = try ledger.importStock(rows, createMissing: true, reference: "bench import")
        return Double(summary.changed) / Date().timeIntervalSince(started)
    }
}
