import ArgumentParser
import Foundation
import Ledger
import Sync

extension ListingsCommand {
    /// `omnistock listings unmatched [--channel C] [--json]`.
    struct Unmatched: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unmatched",
            abstract: "List ledger SKUs without a listing and channel items without a SKU.",
            discussion: """
                Reads each channel's catalogue first (its listing read) and records it, so `status` and the status page \
                show the same counts. Store endpoints (omnistock-json) address SKUs directly and are left out. A channel \
                that cannot be read is named and its last recorded catalogue is shown.
                """)

        @OptionGroup var options: GlobalOptions

        @Option(help: "Only this channel.")
        var channel: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingFailures {
                let runtime = try Runtime.start(options)
                defer { runtime.shutdown() }
                let endpoints = try ChannelFactory.endpoints(runtime.configuration, credentials: ChannelCredentialStore(pool: runtime.pool))
                    .filter { channel == nil || $0.code == channel }
                guard channel == nil || !endpoints.isEmpty else { throw CommandFailure.usage("unknown channel \(channel ?? "")") }
                let discovery = ListingDiscovery(pool: runtime.pool, logger: runtime.logger)
                for endpoint in endpoints {
                    do {
                        try await discovery.survey(code: endpoint.code, channel: endpoint.channel)
                    } catch {
                        FileHandle.standardError.write(Data("\(endpoint.code): catalogue not read (\(error)); showing the last read\n".utf8))
                    }
                }
                let report = try runtime.catalog.unmatched(channel: channel)
                if json {
                    print(try JSONOutput.string(report))
                    return
                }
                for entry in report {
                    let read = entry.catalogueReadAt.map { ISO8601DateFormatter().string(from: $0) } ?? "never"
                    print(
                        "\(entry.channel): \(entry.skus.count) SKUs without a listing, \(entry.items.count) items without a SKU (catalogue read \(read))"
                    )
                    for sku in entry.skus { print("  sku   \(sku)") }
                    for item in entry.items {
                        print("  item  \(item.externalID)  sku=\(item.sku ?? "-")  barcode=\(item.barcode ?? "-")")
                    }
                }
            }
        }
    }
}
