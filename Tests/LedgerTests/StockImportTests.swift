import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

@Suite struct StockImportTests {
    let fixture: LedgerFixture
    var ledger: StockLedger { fixture.ledger }

    init() throws { fixture = try LedgerFixture() }

    @Test func importSetsLevelsByCountAndRepeatsAsANoOp() throws {
        _ = try ledger.receive(sku: "MUG", location: LedgerFixture.warehouse, quantity: 2, key: "r")
        let rows = [
            StockImportRow(line: 2, sku: "MUG", location: LedgerFixture.warehouse, onHand: 5),
            StockImportRow(line: 3, sku: "CAP", location: LedgerFixture.store, onHand: 4),
            StockImportRow(line: 4, sku: "CAP", location: LedgerFixture.warehouse, onHand: 0),
        ]
        let first = try ledger.importStock(rows, createMissing: false)
        #expect(first == StockImportSummary(rows: 3, changed: 2, createdSKUs: 0, createdLocations: 0))
        let second = try ledger.importStock(rows, createMissing: false)
        #expect(second.changed == 0)
        #expect(try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'MUG'") == 5)
        #expect(try fixture.scalar("SELECT count(*) FROM movements WHERE reason = 'count'") == 2)
        #expect(try ledger.verify().isEmpty)
    }

    @Test func unknownNamesAreReportedAndNothingIsStored() throws {
        let rows = [
            StockImportRow(line: 2, sku: "MUG", location: LedgerFixture.warehouse, onHand: 5),
            StockImportRow(line: 3, sku: "NEW-1", location: "wh-new", onHand: 4, name: "New thing"),
        ]
        #expect(throws: StockImportError(unknownSKUs: ["NEW-1"], unknownLocations: ["wh-new"], duplicateLines: [])) {
            try ledger.importStock(rows, createMissing: false)
        }
        #expect(try fixture.scalar("SELECT count(*) FROM levels") == 0)
        let created = try ledger.importStock(rows, createMissing: true)
        #expect(created.createdSKUs == 1)
        #expect(created.createdLocations == 1)
        #expect(try ledger.stock(sku: "NEW-1").name == "New thing")
    }

    @Test func aLargeImportRefreshesThePlannersStatisticsAndASmallOneLeavesThemToAutovacuum() throws {
        let analyzed = """
            SELECT count(*) FROM pg_stat_user_tables
            WHERE relname IN ('skus', 'levels', 'movements', 'outbox') AND last_analyze IS NOT NULL
            """
        let small = [StockImportRow(line: 2, sku: "MUG", location: LedgerFixture.warehouse, onHand: 5)]
        _ = try ledger.importStock(small, createMissing: false)
        #expect(try fixture.scalar(analyzed) == 0)

        let large = (0..<StockLedger.importChangesThatRefreshStatistics).map {
            StockImportRow(line: $0 + 2, sku: "BULK-\($0)", location: LedgerFixture.warehouse, onHand: 3)
        }
        let summary = try ledger.importStock(large, createMissing: true)
        #expect(summary.changed == StockLedger.importChangesThatRefreshStatistics)
        #expect(try fixture.scalar(analyzed) == 4)
    }

    @Test func duplicateLinesAreRefused() throws {
        let rows = [
            StockImportRow(line: 2, sku: "MUG", location: LedgerFixture.warehouse, onHand: 5),
            StockImportRow(line: 3, sku: "MUG", location: LedgerFixture.warehouse, onHand: 6),
        ]
        #expect(throws: StockImportError(unknownSKUs: [], unknownLocations: [], duplicateLines: [3])) {
            try ledger.importStock(rows, createMissing: false)
        }
    }
}
