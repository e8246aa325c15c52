import ChannelVocabulary
import Foundation

extension JSON {
    /// Parses UTF-8 JSON text (any value at the top level).
    ///
    /// Parsed by `JSONSerialization`, then mapped: `JSONDecoder` into this enum has to try each kind in turn for every
    /// value, and took 5.9 % of all CPU in the webhook bench against 1.0 % this way.
    ///
    /// Numbers map as `JSONDecoder` would read them: a number with an integral value that fits 64 bits is `.int` (also
    /// `2.0` or `1E2`), any other `.double`. A key repeated in an object keeps its last value, as PostgreSQL's `jsonb`
    /// does.
    package static func parse(_ bytes: [UInt8]) throws(ChannelError) -> JSON {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw ChannelError(.malformed, "invalid JSON: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        return JSON(parsed: object)
    }

    /// The value `JSONSerialization` parsed. The Swift kinds are tried before `NSNumber`: a failed cast of a
    /// dictionary or an array to a class bridges it to Foundation first (four times the cost of the parse on a page of
    /// a thousand objects).
    private init(parsed object: Any) {
        switch object {
        case let string as String: self = .string(string)
        case let members as [String: Any]: self = .object(members.mapValues(JSON.init(parsed:)))
        case let array as [Any]: self = .array(array.map(JSON.init(parsed:)))
        case let number as NSNumber: self = JSON(number: number)
        default: self = .null  // NSNull: JSONSerialization gives nothing else
        }
    }

    private static let booleanClass = type(of: NSNumber(value: true))

    private init(number: NSNumber) {
        if type(of: number) == Self.booleanClass {
            self = .bool(number.boolValue)
            return
        }
        switch String(cString: number.objCType) {
        case "s", "i", "l", "q":
            self = .int(Int(number.int64Value))
        case "Q":
            // Unsigned: integers above Int64.max.
            self = Int(exactly: number.uint64Value).map(JSON.int) ?? .double(number.doubleValue)
        default:
            // A fraction, an exponent, or an integer too long for 64 bits (then a decimal number).
            self = Int(exactly: number.doubleValue).map(JSON.int) ?? .double(number.doubleValue)
        }
    }
}
