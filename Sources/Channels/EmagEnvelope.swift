import ChannelVocabulary
import CurlHTTP
import Foundation

/// eMAG's answer envelope: every answer is JSON with `isError`, `messages` and `results`, and an error may come
/// with HTTP 200 (section "Response" of the eMAG Marketplace API documentation, linked from
/// https://marketplace.emag.ro/infocenter/emag-academy/product-import-through-api-or-feeds/api-documentation/?lang=en:
/// "every API request must have a response with isError: false"; anything else was not applied).
enum EmagEnvelope {
    /// The outcome of a save: the HTTP classification first (429 throttled, 5xx transient, other 4xx permanent);
    /// then, for 2xx, `isError: false` is success, `isError: true` a refusal (permanent, with the messages), and
    /// an answer that is not the envelope (unparsable, or without `isError`) transient: not known to be applied.
    static func outcome(of response: HTTPResponse) -> PushOutcome {
        let status = ResponseClassifier.outcome(of: response)
        guard status == .ok else { return status }
        guard let json = try? JSON.parse(response.body), let isError = json["isError"].bool else {
            return .transient("eMAG answer without isError: \(ResponseClassifier.excerpt(response.body))")
        }
        return isError ? .permanent("eMAG refused: \(messages(json))") : .ok
    }

    /// The `results` of a read that must succeed; a refusal or a non-envelope answer throws.
    static func results(of response: HTTPResponse) throws(ChannelError) -> [JSON] {
        if let error = ResponseClassifier.error(for: response) { throw error }
        let json = try JSON.parse(response.body)
        guard let isError = json["isError"].bool else { throw ChannelError(.malformed, "eMAG answer without isError") }
        guard !isError else { throw ChannelError(.permanent, "eMAG refused: \(messages(json))") }
        guard case .array(let results) = json["results"] else { throw ChannelError(.malformed, "eMAG answer without a results list") }
        return results
    }

    /// The messages, plain strings or `{text}` objects, on one line.
    static func messages(_ json: JSON) -> String {
        let texts = json["messages"].array.map { $0.string ?? $0["text"].string ?? $0["message"].string ?? "?" }
        return texts.isEmpty ? (json["message"].string ?? "no message") : texts.joined(separator: "; ")
    }
}
