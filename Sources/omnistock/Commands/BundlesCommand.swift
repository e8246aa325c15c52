import ArgumentParser
import CSV
import Foundation
import Ledger
import TextTable

/// `omnistock bundles import FILE.csv` and `omnistock bundles list`: bundles (kits) and their components.
struct BundlesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundles", abstract: "Define bundles (kits) from a CSV file, or list them.",
        subcommands: [Import.self, List.self])

    /// `omnistock bundles import FILE.csv`.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Define bundles from a CSV file (bundle_sku,component_sku,quantity[,name][,barcode]).",
            discussion: """
                One row per component. Every bundle in the file gets exactly the components the file lists (earlier \
                ones are replaced); components must be known item SKUs. All or nothing: any bad row refuses the file \
                with one message per problem.
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The CSV file, with a header row.")
        var file: String

        func run() async throws {
            try await reportingFailures {
                let rows = try Self.read(file)
                let runtime = try Runtime.start(options, migrate: true)
                defer { runtime.shutdown() }
                do {
                    let bundles = try BundleDefinition.from(rows)
                    try runtime.catalog.defineBundles(bundles)
                    print("\(bundles.count) bundles, \(rows.count) components defined")
                } catch let error as BundleDefinitionError {
                    throw CommandFailure(exitCode: 1, message: error.description)
                }
            }
        }

        static func read(_ path: String) throws -> [BundleImportRow] {
            let file = try CSVFile(path: path, required: ["bundle_sku", "component_sku", "quantity"], optional: ["name", "barcode"])
            let (bundle, component, quantity) = (file.required[0], file.required[1], file.required[2])
            let (name, barcode, reader) = (file.column("name"), file.column("barcode"), file.reader)
            var rows: [BundleImportRow] = []
            var line = 1
            while let fields = reader.next() {
                line += 1
                let field = { (index: Int) in index < fields.count ? fields[index] : "" }
                rows.append(
                    BundleImportRow(
                        line: line, bundle: field(bundle), component: field(component), quantity: field(quantity), name: name.map(field),
                        barcode: barcode.map(field)))
            }
            return rows
        }
    }

    /// `omnistock bundles list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List bundles and their components.")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingFailures {
                let runtime = try Runtime.start(options)
                defer { runtime.shutdown() }
                let bundles = try runtime.catalog.bundles()
                guard !json else {
                    print(try JSONOutput.string(bundles))
                    return
                }
                let rows = bundles.flatMap { bundle in bundle.components.map { (bundle, $0) } }
                TextTable<(BundleDefinition, BundleComponent)> {
                    [
                        Column(title: "bundle", value: $0.0.sku), Column(title: "name", value: $0.0.name),
                        Column(title: "component", value: $0.1.sku), Column(title: "quantity", value: $0.1.quantity),
                    ]
                }.print(rows)
            }
        }
    }
}
