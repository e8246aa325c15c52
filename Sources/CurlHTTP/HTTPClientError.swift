/// Why a request produced no response.
public struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad class of failure, for retry decisions.
    public enum Kind: String, Sendable, Hashable {
        /// The connect or total timeout elapsed.
        case timeout
        /// The host could not be resolved or the connection was refused.
        case connect
        /// TLS handshake or certificate verification failed.
        case tls
        /// The response body exceeded the configured limit; the transfer was aborted.
        case tooLarge
        /// The request was cancelled, or the client was shut down.
        case cancelled
        /// Any other failure (protocol error, malformed URL, …).
        case other
    }

    /// The class of failure.
    public var kind: Kind
    /// libcurl's `curl_easy_strerror` text, or a description of a client-side failure.
    public var message: String
    /// libcurl's detailed error buffer, when it filled one (may name hosts; not for end users).
    public var detail: String?

    /// Creates an error.
    public init(kind: Kind, message: String, detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.detail = detail
    }

    /// A request cancelled by the caller or by ``CurlHTTPClient/shutdown()``.
    public static let cancelled = HTTPClientError(kind: .cancelled, message: "request cancelled")

    /// The kind and libcurl's message.
    public var description: String {
        "\(kind.rawValue): \(message)"
    }
}
