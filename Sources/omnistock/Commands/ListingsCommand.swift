import ArgumentParser
import CSV
import Foundation
import Ledger

/// `omnistock listings import FILE.csv` (SKU ↔ channel id mappings set by hand) and `listings unmatched`.
struct ListingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listings", abstract: "Map SKUs to channel ids by hand.", subcommands: [Import.self, Unmatched.self])

    /// `omnistock listings import FILE.csv`.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Set listings from a CSV file (channel,sku,external_id[,location]).",
            discussion: """
                A mapping set here wins over discovery, which never replaces it; the ledger's value is pushed to the \
                new id at once. All or nothing: any bad row refuses the file with one message per problem.
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The CSV file, with a header row.")
        var file: String

        func run() async throws {
            try await reportingFailures {
                let (mappings, lines) = try Self.read(file)
                let runtime = try Runtime.start(options, migrate: true)
                defer { runtime.shutdown() }
                do {
                    try runtime.catalog.setListings(mappings, lines: lines)
                    print("\(mappings.count) listings set")
                } catch let error as ListingMappingError {
                    throw CommandFailure(exitCode: 1, message: error.description)
                }
            }
        }

        static func read(_ path: String) throws -> ([ListingMapping], [Int]) {
            let file = try CSVFile(path: path, required: ["channel", "sku", "external_id"], optional: ["location"])
            let (channel, sku, external) = (file.required[0], file.required[1], file.required[2])
            let (location, reader) = (file.column("location"), file.reader)
            var mappings: [ListingMapping] = []
            var lines: [Int] = []
            var line = 1
            while let fields = reader.next() {
                line += 1
                let field = { (index: Int) in index < fields.count ? fields[index] : "" }
                let scope = location.map(field) ?? ""
                mappings.append(
                    ListingMapping(
                        channel: field(channel), sku: field(sku), externalID: field(external), location: scope.isEmpty ? nil : scope))
                lines.append(line)
            }
            guard !mappings.isEmpty else { throw CommandFailure(exitCode: 1, message: "\(path): no rows; nothing was stored") }
            return (mappings, lines)
        }
    }
}
