import ChannelVocabulary
import Crypto
import Foundation

/// The signature helpers all channels share: HMAC-SHA256, base64, comparison in constant time (swift-crypto's
/// `MessageAuthenticationCode` equality), and several secrets at once so that a secret can be rotated without losing
/// webhooks.
package enum WebhookSignature {
    /// Base64 of HMAC-SHA256(`key`, `message`).
    package static func hmacSHA256Base64(key: [UInt8], message: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return Data(mac).base64EncodedString()
    }

    /// Whether any of `candidates` (base64 signatures as received) equals HMAC-SHA256 of `prefix` followed by `message`
    /// under any of `keys`. Every comparison runs, whichever matches, each in constant time.
    package static func matches(candidates: [String], keys: [[UInt8]], prefix: [UInt8] = [], message: [UInt8]) -> Bool {
        let signatures = candidates.compactMap { Data(base64Encoded: $0) }
        var matched = false
        for key in keys {
            var hmac = HMAC<SHA256>(key: SymmetricKey(data: key))
            hmac.update(data: prefix)
            hmac.update(data: message)
            let mac = hmac.finalize()
            for signature in signatures {
                matched = mac == signature || matched
            }
        }
        return matched
    }

    /// The verdict for a channel that signs the raw body with a plain secret in one header
    /// (`X-Shopify-Hmac-Sha256`, `X-WC-Webhook-Signature`).
    static func verifyBodySignature(_ signature: String?, body: [UInt8], secrets: [String]) -> WebhookVerdict {
        guard let signature, !signature.isEmpty else { return .rejected("missing signature") }
        guard !secrets.isEmpty else { return .rejected("no webhook secret configured") }
        let keys = secrets.map { Array($0.utf8) }
        return matches(candidates: [signature], keys: keys, message: body) ? .verified : .rejected("signature mismatch")
    }
}
