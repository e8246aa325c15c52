import ChannelVocabulary
import CurlHTTP
import Foundation

/// The one place where HTTP answers and transport failures become retry decisions, for every channel.
package enum ResponseClassifier {
    /// The wait used when a throttling answer names none.
    package static let defaultRetryAfterSeconds = 30

    /// `2xx` ok; `409` conflict; `429`/`503` retry after `Retry-After` (seconds or HTTP-date);
    /// `408`, `425` and other `5xx` transient; other `4xx` permanent with an excerpt of the body.
    package static func outcome(of response: HTTPResponse, now: Date = Date()) -> PushOutcome {
        switch response.status {
        case 200..<300:
            return .ok
        case 409:
            return .conflict(current: nil)
        case 429, 503:
            return .retryAfter(seconds: RetryAfter.seconds(response.headers["Retry-After"], now: now) ?? defaultRetryAfterSeconds)
        case 408, 425, 500..<600:
            return .transient("HTTP \(response.status): \(excerpt(response.body))")
        default:
            return .permanent("HTTP \(response.status): \(excerpt(response.body))")
        }
    }

    /// Transport failures (timeouts, refused connections, TLS, cancellation) are all worth retrying.
    package static func outcome(of error: HTTPClientError) -> PushOutcome {
        .transient(error.description)
    }

    /// The error a non-2xx answer gives a call that needs a body (fetches); `nil` for 2xx.
    package static func error(for response: HTTPResponse, now: Date = Date()) -> ChannelError? {
        switch outcome(of: response, now: now) {
        case .ok: nil
        case .conflict: ChannelError(.permanent, "HTTP 409: \(excerpt(response.body))")
        case .retryAfter(let seconds): ChannelError(.retryAfter(seconds: seconds), "HTTP \(response.status)")
        case .transient(let message): ChannelError(.transient, message)
        case .permanent(let message): ChannelError(.permanent, message)
        }
    }

    /// At most 200 characters of a body, on one line, for logs and conflict records.
    package static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(400), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
