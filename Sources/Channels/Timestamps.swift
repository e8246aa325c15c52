import Foundation

/// RFC 3339 / ISO 8601 timestamps as the channels' APIs write them.
enum Timestamps {
    /// Parses `2026-11-30T18:00:00Z`, with or without fractional seconds or an offset.
    static func parse(_ text: String?) -> Date? {
        guard let text else { return nil }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        // WooCommerce's *_gmt fields omit the zone.
        return formatter.date(from: text + "Z") ?? ISO8601DateFormatter().date(from: text + "Z")
    }

    /// Formats in UTC without fractional seconds.
    static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
