import ChannelVocabulary
import Foundation
import HTTPTypes

/// Verification per the Standard Webhooks specification: `webhook-id`, `webhook-timestamp`,
/// `webhook-signature` (space-separated `v1,<base64>`), HMAC-SHA256 over `{id}.{timestamp}.{body}`
/// with the base64 key of a `whsec_` secret, and a timestamp tolerance.
///
/// The secrets are decoded once, when the verifier is made: a channel keeps one for its life.
package struct StandardWebhooks: Sendable {
    /// The keys of the usable secrets, in the order given.
    private let keys: [[UInt8]]
    /// The largest accepted distance between the timestamp and now.
    package let tolerance: TimeInterval

    /// Creates a verifier for `secrets` (`whsec_<base64>`; several during rotation); one that is not base64 is never
    /// matched.
    package init(secrets: [String], tolerance: TimeInterval = 300) {
        self.keys = secrets.compactMap(Self.key(of:))
        self.tolerance = tolerance
    }

    /// Checks the three headers against `body` at time `now`.
    package func verify(id: String?, timestamp: String?, signature: String?, body: [UInt8], now: Date) -> WebhookVerdict {
        guard let id, let timestamp, let signature else { return .rejected("missing webhook headers") }
        guard let seconds = TimeInterval(timestamp) else { return .rejected("malformed timestamp") }
        guard abs(now.timeIntervalSince1970 - seconds) <= tolerance else { return .rejected("timestamp outside tolerance") }
        guard !keys.isEmpty else { return .rejected("no usable webhook secret configured") }
        let candidates = signature.split(separator: " ").compactMap { entry -> String? in
            let parts = entry.split(separator: ",", maxSplits: 1)
            return parts.count == 2 && parts[0] == "v1" ? String(parts[1]) : nil
        }
        let signed = WebhookSignature.matches(candidates: candidates, keys: keys, prefix: Array("\(id).\(timestamp).".utf8), message: body)
        return signed ? .verified : .rejected("signature mismatch")
    }

    /// The signature header value for `body`, as a sender would write it (for simulators and tests).
    package static func sign(secret: String, id: String, timestamp: Int, body: [UInt8]) -> String? {
        guard let key = key(of: secret) else { return nil }
        return "v1," + WebhookSignature.hmacSHA256Base64(key: key, message: Array("\(id).\(timestamp).".utf8) + body)
    }

    private static func key(of secret: String) -> [UInt8]? {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        return Data(base64Encoded: encoded).map(Array.init)
    }
}

extension HTTPField.Name {
    /// Standard Webhooks' delivery id.
    package static let webhookID = Self("webhook-id")!
    /// Standard Webhooks' Unix timestamp.
    package static let webhookTimestamp = Self("webhook-timestamp")!
    /// Standard Webhooks' space-separated `v1,<base64>` signatures.
    package static let webhookSignature = Self("webhook-signature")!
}
