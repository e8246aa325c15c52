/// Why a request produced no response.
package struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad class of failure, for retry decisions.
    package enum Kind: String, Sendable, Hashable {
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
    package var kind: Kind
    /// libcurl's `curl_easy_strerror` text, or a description of a client-side failure.
    package var message: String
    /// libcurl's detailed error buffer, when it filled one (may name hosts; not for end users).
    package var detail: String?

    /// Creates an error.
    package init(kind: Kind, message: String, detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.detail = detail
    }

    /// A request cancelled by the caller or by ``CurlHTTPClient/shutdown()``.
    package static let cancelled = HTTPClientError(kind: .cancelled, message: "request cancelled")

    /// The kind and libcurl's message.
    package var description: String {
        "\(kind.rawValue): \(message)"
    }
}
