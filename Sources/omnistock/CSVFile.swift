import CSV
import Foundation

/// A CSV file with a header row, as the import commands read it: fields trimmed, columns found by name
/// (case-insensitive). A file that cannot be opened or lacks a required column is a usage error naming the path.
struct CSVFile {
    /// The rows after the header.
    let reader: CSVReader
    /// The indices of the required columns, in the order they were asked for.
    let required: [Int]
    private let header: [String]

    init(path: String, required names: [String], optional optionalNames: [String] = []) throws {
        guard let stream = InputStream(fileAtPath: path) else { throw CommandFailure.usage("cannot open \(path)") }
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: true, trimFields: true)
        } catch {
            throw CommandFailure.usage("\(path): not a readable CSV file (\(error))")
        }
        header = (reader.headerRow ?? []).map { $0.lowercased() }
        let found = names.compactMap { [header] in header.firstIndex(of: $0) }
        guard found.count == names.count else {
            let optional = optionalNames.isEmpty ? "" : " (and optionally \(optionalNames.joined(separator: ", ")))"
            throw CommandFailure.usage("\(path): the header must name the columns \(names.joined(separator: ", "))\(optional)")
        }
        required = found
    }

    /// The index of an optional column, if the header names it.
    func column(_ name: String) -> Int? { header.firstIndex(of: name) }
}
