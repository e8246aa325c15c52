import Foundation

/// A Swift type that can be read from a column in PostgreSQL's text format.
package protocol PostgresDecodable {
    /// Decodes the value; throws a `.client` error when the text does not fit the type.
    init(postgresText text: String) throws
}

extension PostgresDecodable {
    static func mismatch(_ text: String) -> PostgresError {
        PostgresError(kind: .client, message: "cannot decode \(Self.self) from column text of length \(text.count)")
    }
}

extension String: PostgresDecodable {
    package init(postgresText text: String) { self = text }
}

extension Int: PostgresDecodable {
    package init(postgresText text: String) throws {
        guard let value = Int(text) else { throw Self.mismatch(text) }
        self = value
    }
}

extension Int32: PostgresDecodable {
    package init(postgresText text: String) throws {
        guard let value = Int32(text) else { throw Self.mismatch(text) }
        self = value
    }
}

extension Int64: PostgresDecodable {
    package init(postgresText text: String) throws {
        guard let value = Int64(text) else { throw Self.mismatch(text) }
        self = value
    }
}

extension Double: PostgresDecodable {
    package init(postgresText text: String) throws {
        guard let value = Double(text) else { throw Self.mismatch(text) }
        self = value
    }
}

extension Bool: PostgresDecodable {
    package init(postgresText text: String) throws {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw Self.mismatch(text)
        }
    }
}

extension Date: PostgresDecodable {
    package init(postgresText text: String) throws {
        guard let date = PostgresTimestamp.parse(text) else { throw Self.mismatch(text) }
        self = date
    }
}

extension UUID: PostgresDecodable {
    package init(postgresText text: String) throws {
        guard let uuid = UUID(uuidString: text) else { throw Self.mismatch(text) }
        self = uuid
    }
}

/// JSON from a `json`/`jsonb` column, decoded into `Value`.
package struct PostgresJSONValue<Value: Decodable>: PostgresDecodable {
    package var value: Value

    package init(postgresText text: String) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            value = try decoder.decode(Value.self, from: Data(text.utf8))
        } catch {
            throw PostgresError(kind: .client, message: "cannot decode JSON column as \(Value.self): \(error)")
        }
    }
}
