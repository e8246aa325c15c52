import ChannelVocabulary
import Testing

@testable import Channels

/// `JSON.parse` (JSONSerialization underneath) reads values as the adapters expect them.
@Suite struct JSONParseTests {
    @Test func numbersReadAsIntegersWhenIntegralAndInRangeElseAsDoubles() throws {
        let parsed = try JSON.parse(
            Array(
                """
                [0, -5, 2.0, 1E2, -0.0, 1.5, 0.1, 1e300, 9223372036854775807, -9223372036854775808, 9223372036854775808,
                 9007199254740993, 100000000000000000000000000000]
                """.utf8))
        #expect(
            parsed.array == [
                .int(0), .int(-5), .int(2), .int(100), .int(0), .double(1.5), .double(0.1), .double(1e300), .int(.max), .int(.min),
                .double(9_223_372_036_854_775_808), .int(9_007_199_254_740_993), .double(1e29),
            ])
    }

    @Test func booleansStringsNullsAndNestingKeepTheirKinds() throws {
        let parsed = try JSON.parse(Array(#"{"t":true,"f":false,"one":1,"s":"1","n":null,"a":[{"k":"ü\u0000"}],"e":{}}"#.utf8))
        #expect(
            parsed
                == .object([
                    "t": .bool(true), "f": .bool(false), "one": .int(1), "s": .string("1"), "n": .null,
                    "a": .array([.object(["k": .string("ü\u{0}")])]), "e": .object([:]),
                ]))
        #expect(try JSON.parse(Array("42".utf8)) == .int(42), "a value alone at the top level")
    }

    @Test func malformedTextIsAChannelError() {
        for text in ["", "{", #"{"a":}"#, "[01]", "[1] x", "1e400", #"["\ud800"]"#, "\u{FF}"] {
            #expect(throws: ChannelError.self, "\(text)") { try JSON.parse(Array(text.utf8)) }
        }
    }
}
