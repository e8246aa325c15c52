import Foundation

/// A Swift value that can be sent as a query parameter.
///
/// Parameters travel in PostgreSQL's text format; the server casts them to the column type,
/// so values are never spliced into SQL text.
package protocol PostgresBindable: Sendable {
    /// The value's text representation, or `nil` for SQL NULL.
    var postgresText: String? { get }
}

extension String: PostgresBindable {
    package var postgresText: String? { self }
}

extension Substring: PostgresBindable {
    package var postgresText: String? { String(self) }
}

extension Int: PostgresBindable {
    package var postgresText: String? { String(self) }
}

extension Int32: PostgresBindable {
    package var postgresText: String? { String(self) }
}

extension Int64: PostgresBindable {
    package var postgresText: String? { String(self) }
}

extension Double: PostgresBindable {
    package var postgresText: String? { String(self) }
}

extension Bool: PostgresBindable {
    package var postgresText: String? { self ? "t" : "f" }
}

extension Date: PostgresBindable {
    package var postgresText: String? { PostgresTimestamp.format(self) }
}

extension UUID: PostgresBindable {
    package var postgresText: String? { uuidString.lowercased() }
}

extension Data: PostgresBindable {
    package var postgresText: String? {
        "\\x" + map { String(format: "%02x", $0) }.joined()
    }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    package var postgresText: String? { self?.postgresText }
}

extension Array: PostgresBindable where Element: PostgresBindable {
    /// A one-dimensional array literal, e.g. `{"a","b",NULL}`: each element quoted, its `\\` and `"` escaped.
    ///
    /// Built in one pass over UTF-8 bytes: batched writes send arrays of thousands of elements, and Foundation's
    /// `replacingOccurrences` cost more than the statement they fed (profile of the webhook bench).
    package var postgresText: String? {
        var literal: [UInt8] = [UInt8(ascii: "{")]
        for (index, element) in enumerated() {
            if index > 0 { literal.append(UInt8(ascii: ",")) }
            guard let text = element.postgresText else {
                literal.append(contentsOf: "NULL".utf8)
                continue
            }
            literal.append(UInt8(ascii: "\""))
            for byte in text.utf8 {
                if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { literal.append(UInt8(ascii: "\\")) }
                literal.append(byte)
            }
            literal.append(UInt8(ascii: "\""))
        }
        literal.append(UInt8(ascii: "}"))
        return String(decoding: literal, as: UTF8.self)
    }
}

/// A value sent as JSON text (for `json`/`jsonb` parameters).
package struct PostgresJSON<Value: Encodable & Sendable>: PostgresBindable {
    package var value: Value

    package init(_ value: Value) { self.value = value }

    package var postgresText: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
