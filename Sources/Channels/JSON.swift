import ChannelVocabulary
import Foundation

/// A JSON value: the one JSON mechanism every adapter uses to build request bodies and read responses.
package enum JSON: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction that fits 64 bits.
    case int(Int)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSON])
    /// An object.
    case object([String: JSON])

    /// Compact UTF-8 JSON text with object keys sorted (so equal values encode to equal bytes).
    package func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data("null".utf8))
    }

    /// The member `key` of an object, or `.null`.
    package subscript(key: String) -> JSON {
        if case .object(let members) = self { return members[key] ?? .null }
        return .null
    }

    /// The element at `index` of an array, or `.null`.
    package subscript(index: Int) -> JSON {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return .null
    }

    /// The string value, or a number rendered as a string (APIs vary in how they send ids).
    package var string: String? {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        default: nil
        }
    }

    /// The integer value, also from an integral double or a numeric string.
    package var int: Int? {
        switch self {
        case .int(let value): value
        case .double(let value) where value.rounded() == value: Int(exactly: value)
        case .string(let value): Int(value)
        default: nil
        }
    }

    /// The numeric value.
    package var double: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        case .string(let value): Double(value)
        default: nil
        }
    }

    /// The boolean value.
    package var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements of an array; empty for anything else.
    package var array: [JSON] {
        if case .array(let elements) = self { return elements }
        return []
    }

    /// Whether this is `null` (or a missing member).
    package var isNull: Bool { self == .null }
}

extension JSON: Codable {
    /// Decodes any JSON value.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSON].self))
        }
    }

    /// Encodes the value as JSON.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `null`.
    package init(nilLiteral: ()) { self = .null }
    /// A boolean.
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer.
    package init(integerLiteral value: Int) { self = .int(value) }
    /// A string.
    package init(stringLiteral value: String) { self = .string(value) }
    /// An array.
    package init(arrayLiteral elements: JSON...) { self = .array(elements) }
    /// An object.
    package init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSON {
    /// A string, or `null` for `nil`.
    package init(_ value: String?) { self = value.map(JSON.string) ?? .null }
    /// An integer, or `null` for `nil`.
    package init(_ value: Int?) { self = value.map(JSON.int) ?? .null }
}

extension JSON {
    /// The string value, or a ``ChannelError/Kind/malformed`` error naming `field`.
    package func requiredString(_ field: String) throws(ChannelError) -> String {
        guard let value = string else { throw ChannelError(.malformed, "missing or invalid \(field)") }
        return value
    }

    /// The integer value, or a ``ChannelError/Kind/malformed`` error naming `field`.
    package func requiredInt(_ field: String) throws(ChannelError) -> Int {
        guard let value = int else { throw ChannelError(.malformed, "missing or invalid \(field)") }
        return value
    }
}
