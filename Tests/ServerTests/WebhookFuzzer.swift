import ChannelSimulators
import Foundation

/// One fuzzed webhook delivery and what the receiver must make of it.
struct WebhookFuzzCase: Sendable {
    /// What must happen to the delivery.
    enum Expectation: Sendable {
        /// The signature is missing, wrong or stale: `401`, never stored.
        case unauthorized
        /// Correctly signed (the body or headers may still be nonsense): `200` or `400`, never `401` or `5xx`.
        case signed
        /// Correctly signed but larger than the server's body limit: `413`.
        case tooLarge
    }

    /// The mutation that made it, for failure messages.
    var mutation: WebhookFuzzer.Mutation
    var headers: [(String, String)]
    var body: [UInt8]
    var expectation: Expectation
}

/// Seeded random and mutated webhook deliveries: valid signed bodies with flipped bytes, truncated bodies,
/// random bytes, huge and empty headers, wrong, missing and garbage signatures, wrong timestamps, non-UTF-8,
/// deeply nested JSON and oversized bodies.
struct WebhookFuzzer {
    /// How a delivery is spoiled (or not).
    enum Mutation: CaseIterable, Sendable {
        case intact, flippedByte, truncated, randomBody, garbageSignature, missingSignature, emptySignature, wrongSecret
        case wrongTimestamp, hugeHeader, manyHeaders, hugeEventID, nonUTF8Body, deeplyNested, randomSignedBody, unicodeHeader
        case oversized
    }

    private var generator: SeededGenerator
    /// The server's body limit: `oversized` bodies exceed it.
    let maxBodyBytes: Int

    init(seed: UInt64, maxBodyBytes: Int) {
        generator = SeededGenerator(seed: seed)
        self.maxBodyBytes = maxBodyBytes
    }

    /// A delivery for `target` with delivery id `id`, signed at `now`; `oversized` ones only when `allowOversized`.
    mutating func next(for target: WebhookFuzzTarget, id: String, now: Date, allowOversized: Bool = true) -> WebhookFuzzCase {
        let mutations = Mutation.allCases.filter { ($0 != .wrongTimestamp || target.hasTimestamp) && ($0 != .oversized || allowOversized) }
        let mutation = mutations.randomElement(using: &generator)!
        let timestamp = String(Int(now.timeIntervalSince1970))
        let base = Array(target.body(Int.random(in: 1...1_000_000, using: &generator)).utf8)
        let signed = { (body: [UInt8], id: String) in target.sign(target.secret, id, timestamp, body) }
        switch mutation {
        case .intact:
            return WebhookFuzzCase(mutation: mutation, headers: signed(base, id), body: base, expectation: .signed)
        case .flippedByte:
            var body = base
            body[Int.random(in: body.indices, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
            return WebhookFuzzCase(mutation: mutation, headers: signed(base, id), body: body, expectation: .unauthorized)
        case .truncated:
            let body = Array(base.prefix(Int.random(in: 0..<base.count, using: &generator)))
            return WebhookFuzzCase(mutation: mutation, headers: signed(base, id), body: body, expectation: .unauthorized)
        case .randomBody:
            return WebhookFuzzCase(mutation: mutation, headers: signed(base, id), body: randomBytes(upTo: 4096), expectation: .unauthorized)
        case .garbageSignature:
            let garbage = [randomText(upTo: 200), "v1," + Data(randomBytes(upTo: 64)).base64EncodedString(), "v1,", "v2," + randomText(upTo: 40)]
            let headers = replacing(target.signatureHeaders.last!, with: garbage.randomElement(using: &generator)!, in: signed(base, id))
            return WebhookFuzzCase(mutation: mutation, headers: headers, body: base, expectation: .unauthorized)
        case .missingSignature:
            let dropped = target.signatureHeaders.randomElement(using: &generator)!
            return WebhookFuzzCase(mutation: mutation, headers: signed(base, id).filter { $0.0 != dropped }, body: base, expectation: .unauthorized)
        case .emptySignature:
            let headers = replacing(target.signatureHeaders.last!, with: "", in: signed(base, id))
            return WebhookFuzzCase(mutation: mutation, headers: headers, body: base, expectation: .unauthorized)
        case .wrongSecret:
            return WebhookFuzzCase(
                mutation: mutation, headers: target.sign(target.wrongSecret, id, timestamp, base), body: base, expectation: .unauthorized)
        case .wrongTimestamp:
            let skew = Int.random(in: 301...10_000_000, using: &generator) * (Bool.random(using: &generator) ? 1 : -1)
            let stamps = [
                String(Int(now.timeIntervalSince1970) + skew), "abc", "nan", "inf", "-inf", "1e400", "0x10", "99999999999999999999999", "-1", "١٢٣",
            ]
            let stamp = stamps.randomElement(using: &generator)!
            return WebhookFuzzCase(mutation: mutation, headers: target.sign(target.secret, id, stamp, base), body: base, expectation: .unauthorized)
        case .hugeHeader:
            let headers = signed(base, id) + [("X-Fuzz-Huge", randomText(upTo: 16 << 10))]
            return WebhookFuzzCase(mutation: mutation, headers: headers, body: base, expectation: .signed)
        case .manyHeaders:
            let extra = (0..<Int.random(in: 1...60, using: &generator)).map { ("X-Fuzz-\($0)", randomText(upTo: 64)) }
            return WebhookFuzzCase(mutation: mutation, headers: signed(base, id) + extra, body: base, expectation: .signed)
        case .hugeEventID:
            let hugeID = id + "-" + randomText(upTo: 16_000)
            return WebhookFuzzCase(mutation: mutation, headers: signed(base, hugeID), body: base, expectation: .signed)
        case .nonUTF8Body:
            var body = base
            let invalid: [[UInt8]] = [[0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80], [0x80, 0x80]]
            body.insert(contentsOf: invalid.randomElement(using: &generator)!, at: quotedPosition(in: body))
            return WebhookFuzzCase(mutation: mutation, headers: signed(body, id), body: body, expectation: .signed)
        case .deeplyNested:
            let depth = Int.random(in: 100...(maxBodyBytes / 8), using: &generator)
            let (open, close) = Bool.random(using: &generator) ? ("[", "]") : (#"{"a":"#, "}")
            let body = Array(
                (#"{"type":"order.created","data":"# + String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth) + "}")
                    .utf8)
            return WebhookFuzzCase(mutation: mutation, headers: signed(body, id), body: body, expectation: .signed)
        case .randomSignedBody:
            let body = randomBytes(upTo: 4096)
            return WebhookFuzzCase(mutation: mutation, headers: signed(body, id), body: body, expectation: .signed)
        case .unicodeHeader:
            let headers = signed(base, id) + [("X-Fuzz-Unicode", "zażółć ✓ 𝄞 " + randomText(upTo: 32))]
            return WebhookFuzzCase(mutation: mutation, headers: headers, body: base, expectation: .signed)
        case .oversized:
            let body = base + Array(repeating: UInt8(ascii: " "), count: maxBodyBytes + Int.random(in: 1...65_536, using: &generator))
            return WebhookFuzzCase(mutation: mutation, headers: signed(body, id), body: body, expectation: .tooLarge)
        }
    }

    private mutating func randomBytes(upTo limit: Int) -> [UInt8] {
        (0..<Int.random(in: 0...limit, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Printable ASCII (what a header value may hold), at least one character.
    private mutating func randomText(upTo limit: Int) -> String {
        String(
            (0..<Int.random(in: 1...limit, using: &generator)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 0x21...0x7E, using: &generator)))
            })
    }

    /// A position just inside a string literal of `body` (after its first quote).
    private mutating func quotedPosition(in body: [UInt8]) -> Int {
        let quotes = body.indices.filter { body[$0] == UInt8(ascii: "\"") }
        return (quotes.randomElement(using: &generator) ?? 0) + 1
    }

    private func replacing(_ name: String, with value: String, in headers: [(String, String)]) -> [(String, String)] {
        headers.map { $0.0 == name ? ($0.0, value) : $0 }
    }
}
