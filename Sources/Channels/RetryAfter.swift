import Foundation

/// Parsing of the `Retry-After` header: delay-seconds or an HTTP-date.
enum RetryAfter {
    /// Seconds to wait, at least 1; `nil` when the header is absent or unparseable.
    static func seconds(_ header: String?, now: Date = Date()) -> Int? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = Int(header) { return max(seconds, 1) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: header) else { return nil }
        return max(Int(date.timeIntervalSince(now).rounded(.up)), 1)
    }
}
