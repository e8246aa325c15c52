import Foundation
import Ledger

extension ReconcileRunStore {
    /// Stores the report; the run is `failed` (with the channels' errors) when any channel failed.
    func finish(_ run: ReconcileRun, report: ReconcileReport) throws {
        let errors = report.channels.flatMap { channel in channel.errors.map { "\(channel.channel): \($0)" } }
        try finish(run, reportJSON: try Self.json(report), errors: errors)
    }

    /// The report as the API shows it: snake_case keys, ISO 8601 dates.
    static func json(_ report: ReconcileReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
