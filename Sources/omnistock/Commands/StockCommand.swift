import ArgumentParser
import Foundation
import Ledger
import TextTable

/// `omnistock stock SKU`: on hand, reserved and available per location, and what each channel shows.
struct StockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stock", abstract: "Show a SKU's stock per location, its published value per channel, and a bundle's components.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The SKU.")
    var sku: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let runtime = try Runtime.start(options)
            defer { runtime.shutdown() }
            let report: StockReport
            do {
                report = try runtime.ledger.stock(sku: sku)
            } catch let error as LedgerError {
                throw CommandFailure(exitCode: 1, message: error.description)
            }
            if json {
                print(try JSONOutput.string(report))
                return
            }
            print("\(report.sku)  \(report.name)  (\(report.kind))\n")
            let locations = TextTable<LocationStock> {
                [
                    Column(title: "location", value: $0.location), Column(title: "on hand", value: $0.onHand),
                    Column(title: "reserved", value: $0.reserved), Column(title: "available", value: $0.available),
                    Column(title: "pickup", value: $0.pickupAvailable.map(String.init) ?? "-"),
                    Column(title: "oversold", value: $0.oversold ? "yes" : ""),
                ]
            }
            locations.print(report.locations)
            if let components = report.components {
                print("\nbundle of:")
                TextTable<BundleComponentStock> {
                    [
                        Column(title: "component", value: $0.sku), Column(title: "per bundle", value: $0.quantity),
                        Column(title: "available", value: $0.available), Column(title: "makes", value: $0.bundles),
                    ]
                }.print(components)
            }
            if !report.channels.isEmpty {
                print("")
                TextTable<ChannelStock> {
                    [
                        Column(title: "channel", value: $0.channel), Column(title: "scope", value: $0.scope),
                        Column(title: "shows", value: $0.value), Column(title: "why", value: $0.steps.summary),
                    ]
                }.print(report.channels)
            }
        }
    }
}

/// Pretty, stable JSON for command output.
enum JSONOutput {
    static func string(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
