/// Parses durations written as `500ms`, `30s`, `15m`, `2h` or `1d`.
package enum ConfigDuration {
    /// Seconds in `text`, or nil when it is not a duration.
    package static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            // "ms" must not be read as minutes of "…m" followed by "s".
            guard let value = Double(number), value.isFinite, value >= 0, !number.isEmpty else { continue }
            return value * scale
        }
        return nil
    }

    /// `seconds` written the way the configuration takes it (`500ms`, `30s`, `15m`, `2h`, `2d`), in the largest unit
    /// that divides it.
    package static func text(_ seconds: Double) -> String {
        for (suffix, scale) in [("d", 86_400.0), ("h", 3600), ("m", 60), ("s", 1)]
        where seconds >= scale && seconds.truncatingRemainder(dividingBy: scale) == 0 {
            return "\(Int(seconds / scale))\(suffix)"
        }
        return "\(Int((seconds * 1000).rounded()))ms"
    }
}

/// A rate written as `N/s`, `N/m` or `N/h`.
package struct RateLimit: Sendable, Equatable {
    /// Requests per second.
    package var perSecond: Double

    package init(perSecond: Double) { self.perSecond = perSecond }

    /// Parses `2/s`, `120/m`, `1000/h`.
    package init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let count = Double(parts[0]), count > 0 else { return nil }
        switch parts[1] {
        case "s": perSecond = count
        case "m": perSecond = count / 60
        case "h": perSecond = count / 3600
        default: return nil
        }
    }
}
