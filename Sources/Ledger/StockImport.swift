import Foundation
import Logging
import PostgresClient

/// One line of a stock file: set `onHand` of `sku` at `location`.
package struct StockImportRow: Sendable, Equatable {
    package var line: Int
    package var sku: String
    package var location: String
    package var onHand: Int
    package var name: String?
    /// The SKU's barcode (GTIN/EAN); nil or empty keeps the stored one.
    package var barcode: String?

    package init(line: Int, sku: String, location: String, onHand: Int, name: String? = nil, barcode: String? = nil) {
        self.barcode = barcode
        self.line = line
        self.sku = sku
        self.location = location
        self.onHand = onHand
        self.name = name
    }
}

/// What an import did.
package struct StockImportSummary: Codable, Sendable, Equatable {
    /// Rows read.
    package var rows: Int
    /// Levels whose on hand changed (one `count` movement each).
    package var changed: Int
    /// SKUs and locations created (with `createMissing`).
    package var createdSKUs: Int
    package var createdLocations: Int

    package init(rows: Int, changed: Int, createdSKUs: Int, createdLocations: Int) {
        self.rows = rows
        self.changed = changed
        self.createdSKUs = createdSKUs
        self.createdLocations = createdLocations
    }
}

/// Why an import stored nothing.
package struct StockImportError: Error, Sendable, Equatable, CustomStringConvertible {
    package var unknownSKUs: [String]
    package var unknownLocations: [String]
    package var duplicateLines: [Int]

    package init(unknownSKUs: [String], unknownLocations: [String], duplicateLines: [Int]) {
        self.unknownSKUs = unknownSKUs
        self.unknownLocations = unknownLocations
        self.duplicateLines = duplicateLines
    }

    package var description: String {
        var parts: [String] = []
        if !unknownSKUs.isEmpty {
            parts.append("unknown SKUs: \(unknownSKUs.prefix(20).joined(separator: ", "))\(unknownSKUs.count > 20 ? " …" : "")")
        }
        if !unknownLocations.isEmpty { parts.append("unknown locations: \(unknownLocations.joined(separator: ", "))") }
        if !duplicateLines.isEmpty {
            parts.append("the same SKU and location more than once, lines \(duplicateLines.prefix(20).map(String.init).joined(separator: ", "))")
        }
        return parts.joined(separator: "; ") + " (nothing was imported)"
    }
}

extension StockLedger {
    /// Loads a stock file through COPY, then sets each level to its counted value with one `count`
    /// movement per changed level, all in one transaction: the file goes in whole or not at all.
    /// Importing the same file again changes nothing. Unknown SKUs and locations are created
    /// (SKUs as items, locations as warehouses) when `createMissing` is set, and refused otherwise.
    /// `checkSource` runs after the rows are read and before anything is written: a source that
    /// stopped early on a malformed line throws there, and the import stores nothing.
    package func importStock(
        _ rows: some Sequence<StockImportRow>, createMissing: Bool, reference: String = "import",
        progress: (Int) -> Void = { _ in }, checkSource: () throws -> Void = {}
    ) throws -> StockImportSummary {
        let batch = "import:\(UUID().uuidString.lowercased())"
        let summary = try translatingDatabaseErrors {
            try pool.withConnection { connection in
                try connection.transaction { connection in
                    try connection.execute(
                        "CREATE TEMP TABLE import_rows (line int, sku text, location text, on_hand int, name text, barcode text) ON COMMIT DROP")
                    var read = 0
                    try withoutActuallyEscaping(progress) { progress in
                        let fields = rows.lazy.map { row -> [String?] in
                            read += 1
                            if read % 10_000 == 0 { progress(read) }
                            return [String(row.line), row.sku, row.location, String(row.onHand), row.name, row.barcode]
                        }
                        try connection.copyIn("COPY import_rows (line, sku, location, on_hand, name, barcode) FROM STDIN", rows: fields)
                        progress(read)
                    }
                    try checkSource()
                    try checkImport(on: connection, createMissing: createMissing)
                    let created = try connection.query(
                        """
                        WITH new_skus AS (
                            INSERT INTO skus (sku, name) SELECT DISTINCT ON (sku) sku, COALESCE(name, '') FROM import_rows
                            ORDER BY sku, COALESCE(name, '') = '', line DESC ON CONFLICT (sku) DO NOTHING RETURNING 1),
                        new_locations AS (
                            INSERT INTO locations (code, name, kind) SELECT DISTINCT location, location, 'warehouse'
                            FROM import_rows ON CONFLICT (code) DO NOTHING RETURNING 1)
                        SELECT (SELECT count(*) FROM new_skus), (SELECT count(*) FROM new_locations)
                        """)[0]
                    // A barcode in the file replaces the SKU's (the last line naming one wins).
                    try connection.query(
                        """
                        UPDATE skus s SET barcode = b.barcode
                        FROM (SELECT DISTINCT ON (sku) sku, barcode FROM import_rows WHERE barcode <> '' ORDER BY sku, line DESC) AS b
                        WHERE s.sku = b.sku AND s.barcode IS DISTINCT FROM b.barcode
                        """)
                    let changed = try connection.query(
                        """
                        WITH counted AS (
                            SELECT l.sku, l.location, r.on_hand AS counted, r.on_hand - l.on_hand AS delta
                            FROM import_rows r JOIN levels l ON l.sku = r.sku AND l.location = r.location
                            WHERE r.on_hand <> l.on_hand
                            FOR UPDATE OF l),
                        fresh AS (
                            INSERT INTO levels (sku, location, on_hand)
                            SELECT r.sku, r.location, r.on_hand FROM import_rows r
                            WHERE r.on_hand <> 0
                              AND NOT EXISTS (SELECT 1 FROM levels l WHERE l.sku = r.sku AND l.location = r.location)
                            RETURNING sku, location, on_hand AS delta),
                        updated AS (
                            UPDATE levels l SET on_hand = c.counted, version = nextval('ledger_version_seq'),
                                oversold = NOT (c.counted >= 0 AND l.reserved <= c.counted)
                            FROM counted c WHERE l.sku = c.sku AND l.location = c.location
                            RETURNING l.sku),
                        moved AS (
                            INSERT INTO movements (sku, location, delta, reason, reference, idempotency_key)
                            SELECT sku, location, delta, 'count', $1, $2 || ':' || sku || '@' || location
                            FROM (SELECT sku, location, delta FROM counted UNION ALL SELECT sku, location, delta FROM fresh) AS changes
                            RETURNING 1)
                        SELECT count(*) FROM moved
                        """, [reference, batch]
                    )[0].decode(Int.self, at: 0)
                    // Counts below reservations are accepted and reported, as for a single count.
                    for row in try connection.query(
                        """
                        SELECT \(LevelSnapshot.columns) FROM levels l
                        WHERE l.oversold AND EXISTS (SELECT 1 FROM import_rows r WHERE r.sku = l.sku AND r.location = l.location)
                        """)
                    {
                        try recordShortfall(level: LevelSnapshot(row: row), reference: reference, on: connection)
                    }
                    return StockImportSummary(
                        rows: read, changed: changed, createdSKUs: try created.decode(at: 0),
                        createdLocations: try created.decode(at: 1))
                }
            }
        }
        if summary.changed > 0 { try? wakeSyncWorkers() }
        if summary.changed >= Self.importChangesThatRefreshStatistics { refreshPlannerStatistics() }
        return summary
    }

    /// Levels an import must change before it refreshes the planner's statistics of the tables it grew. Below it,
    /// autovacuum's own analyze (after 10 % of a table changed) is soon enough.
    package static let importChangesThatRefreshStatistics = 1_000

    /// `ANALYZE` of the tables a large import writes. Planned on the statistics from before the import, a statement
    /// over all of a channel's targets (a first sync, a reconcile) ran for over 20 minutes once, until autovacuum
    /// analyzed the tables (https://www.postgresql.org/docs/current/populate.html#POPULATE-ANALYZE). The import has
    /// committed by then: a failure here is logged, not thrown.
    private func refreshPlannerStatistics() {
        do {
            try pool.execute("ANALYZE skus, levels, movements, outbox")
        } catch {
            logger.warning("statistics not refreshed after a large import; autovacuum will", metadata: ["error": "\(error)"])
        }
    }

    private func checkImport(on connection: PostgresConnection, createMissing: Bool) throws {
        let duplicates = try connection.query(
            """
            SELECT max(line) FROM import_rows GROUP BY sku, location HAVING count(*) > 1 ORDER BY 1 LIMIT 100
            """
        ).map { try $0.decode(Int.self, at: 0) }
        var unknownSKUs: [String] = []
        var unknownLocations: [String] = []
        if !createMissing {
            unknownSKUs = try connection.query(
                "SELECT DISTINCT sku FROM import_rows WHERE sku NOT IN (SELECT sku FROM skus) ORDER BY sku LIMIT 1000"
            ).map { try $0.decode(String.self, at: 0) }
            unknownLocations = try connection.query(
                "SELECT DISTINCT location FROM import_rows WHERE location NOT IN (SELECT code FROM locations) ORDER BY 1 LIMIT 1000"
            ).map { try $0.decode(String.self, at: 0) }
        }
        guard duplicates.isEmpty, unknownSKUs.isEmpty, unknownLocations.isEmpty else {
            throw StockImportError(unknownSKUs: unknownSKUs, unknownLocations: unknownLocations, duplicateLines: duplicates)
        }
    }
}
