import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Testing

@Suite("mechanisms shared by every adapter")
struct SharedMechanismTests {
    func response(_ status: Int, _ headers: HTTPHeaders = [:], _ body: String = "") -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: bytes(body))
    }

    @Test("status classification")
    func classification() {
        #expect(ResponseClassifier.outcome(of: response(204)) == .ok)
        #expect(ResponseClassifier.outcome(of: response(409)) == .conflict(current: nil))
        #expect(ResponseClassifier.outcome(of: response(429, ["Retry-After": "12"])) == .retryAfter(seconds: 12))
        #expect(ResponseClassifier.outcome(of: response(503)) == .retryAfter(seconds: ResponseClassifier.defaultRetryAfterSeconds))
        #expect(ResponseClassifier.outcome(of: response(502, [:], "bad gateway")) == .transient("HTTP 502: bad gateway"))
        #expect(ResponseClassifier.outcome(of: response(408)) == .transient("HTTP 408: "))
        #expect(ResponseClassifier.outcome(of: response(400, [:], #"{"error":"nope"}"#)) == .permanent(#"HTTP 400: {"error":"nope"}"#))
        #expect(
            ResponseClassifier.outcome(of: HTTPClientError(kind: .timeout, message: "Timeout was reached"))
                == .transient("timeout: Timeout was reached"))
        #expect(ResponseClassifier.excerpt(bytes(String(repeating: "x", count: 500))).count == 201)
    }

    @Test("Retry-After as an HTTP-date")
    func retryAfterDate() {
        let now = Date(timeIntervalSince1970: 1_784_800_000)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let header = formatter.string(from: now + 90)
        #expect(ResponseClassifier.outcome(of: response(503, ["Retry-After": header]), now: now) == .retryAfter(seconds: 90))
        #expect(ResponseClassifier.outcome(of: response(429, ["Retry-After": "soon"]), now: now) == .retryAfter(seconds: 30))
    }

    @Test("JSON keeps booleans, integers (64-bit ids), doubles and nulls apart; encodes with sorted keys")
    func json() throws {
        let value = try JSON.parse(bytes(#"{"b": true, "i": 1, "big": 271878346596884015, "d": 1.5, "n": null, "s": "x", "a": [0, false]}"#))
        #expect(value["b"] == .bool(true) && value["i"] == .int(1) && value["big"].int == 271_878_346_596_884_015)
        #expect(value["d"] == .double(1.5) && value["n"].isNull && value["missing"].isNull)
        #expect(value["a"][1] == .bool(false) && value["a"][9].isNull && value["i"].string == "1")
        let encoded: JSON = ["z": 1, "a": ["k": nil], "m": "é/"]
        #expect(String(decoding: encoded.encoded(), as: UTF8.self) == #"{"a":{"k":null},"m":"é/","z":1}"#)
        #expect(throws: ChannelError.self) { try JSON.parse(bytes("{")) }
    }

    @Test("HMAC-SHA256 base64 and constant-time comparison")
    func signatures() {
        // RFC 4231 test case 2.
        #expect(
            WebhookSignature.hmacSHA256Base64(key: bytes("Jefe"), message: bytes("what do ya want for nothing?"))
                == Data([
                    0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
                    0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
                ]).base64EncodedString())
        #expect(ConstantTime.equals(bytes("abc"), bytes("abc")))
        #expect(!ConstantTime.equals(bytes("abc"), bytes("abd")))
        #expect(!ConstantTime.equals(bytes("abc"), bytes("abcd")))
    }
}
