/// The `detail` of a conflict: named JSON values, `null` for a nil one (as `jsonb_build_object` writes them).
package struct ConflictDetail: Encodable, Sendable, ExpressibleByDictionaryLiteral {
    package typealias Key = String
    package typealias Value = (any Encodable & Sendable)?
    private var fields: [(key: String, value: Value)]

    package init(dictionaryLiteral elements: (String, Value)...) {
        fields = elements.map { (key: $0.0, value: $0.1) }
    }

    /// The same detail without its nil values (as `jsonb_strip_nulls`).
    package var withoutNulls: ConflictDetail {
        var detail = self
        detail.fields = fields.filter { $0.value != nil }
        return detail
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FieldKey.self)
        for (key, value) in fields {
            if let value { try container.encode(value, forKey: FieldKey(key)) } else { try container.encodeNil(forKey: FieldKey(key)) }
        }
    }

    private struct FieldKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
