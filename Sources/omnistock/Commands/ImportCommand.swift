import ArgumentParser
import CSV
import Foundation
import Ledger

/// `omnistock import FILE.csv`: sets on hand from a stock file (columns `sku,location,on_hand[,name]`).
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Set on-hand levels from a CSV file (sku,location,on_hand[,name]).",
        discussion: """
            The file is loaded through COPY in one transaction: all of it or nothing. Each changed level gets \
            one `count` movement, so importing the same file again changes nothing.
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The CSV file, with a header row.")
    var file: String

    @Flag(help: "Create SKUs and locations the file names but the ledger does not know (locations as warehouses).")
    var create = false

    func run() async throws {
        try await reportingFailures {
            let rows = try StockFile(path: file)
            let runtime = try Runtime.start(options, migrate: true)
            defer { runtime.shutdown() }
            let progress = Progress(label: "import")
            do {
                let summary = try runtime.ledger.importStock(
                    rows, createMissing: create, reference: "import \(URL(fileURLWithPath: file).lastPathComponent)",
                    progress: { progress.update($0) },
                    checkSource: { if let problem = rows.problem { throw CommandFailure(exitCode: 1, message: problem) } })
                progress.finish(summary.rows)
                print(
                    "\(summary.rows) rows, \(summary.changed) levels changed, \(summary.createdSKUs) SKUs and \(summary.createdLocations) locations created"
                )
            } catch let error as StockImportError {
                throw CommandFailure(exitCode: 1, message: error.description)
            }
        }
    }
}

/// Rows of a stock CSV file, read lazily. A malformed line stops the sequence and is kept in `problem`;
/// the import then fails, so a bad file changes nothing.
final class StockFile: Sequence {
    private let reader: CSVReader
    private let columns: (sku: Int, location: Int, onHand: Int, name: Int?, barcode: Int?)
    /// Why reading stopped early, if it did.
    private(set) var problem: String?

    init(path: String) throws {
        let file = try CSVFile(path: path, required: ["sku", "location", "on_hand"], optional: ["name", "barcode"])
        reader = file.reader
        columns = (file.required[0], file.required[1], file.required[2], file.column("name"), file.column("barcode"))
    }

    func makeIterator() -> AnyIterator<StockImportRow> {
        var line = 1
        return AnyIterator { [self] in
            guard problem == nil, let fields = reader.next() else { return nil }
            line += 1
            let needed = Swift.max(columns.sku, columns.location, columns.onHand)
            guard fields.count > needed, let onHand = Int(fields[columns.onHand]), QuantityRange.holds(onHand),
                !fields[columns.sku].isEmpty, !fields[columns.location].isEmpty
            else {
                problem = "line \(line): expected a SKU, a location and an on_hand from 0 to \(QuantityRange.maximum); nothing was imported"
                return nil
            }
            let name = columns.name.flatMap { $0 < fields.count ? fields[$0] : nil }
            let barcode = columns.barcode.flatMap { $0 < fields.count ? fields[$0] : nil }
            return StockImportRow(
                line: line, sku: fields[columns.sku], location: fields[columns.location], onHand: onHand, name: name, barcode: barcode)
        }
    }
}
