/// Why a channel call failed, classified for the sync worker's retry policy.
package struct ChannelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of failure.
    package enum Kind: Sendable, Equatable {
        /// Try again after at least this many seconds (429, 503, cost throttling).
        case retryAfter(seconds: Int)
        /// Try again with backoff (5xx, timeouts, connection errors).
        case transient
        /// Do not retry until something changes (other 4xx, rejected input).
        case permanent
        /// The peer sent something that does not parse or is not what its API documents.
        case malformed
        /// The channel kind does not offer this operation.
        case unsupported
    }

    /// The class of failure.
    package var kind: Kind
    /// What happened, with at most a short excerpt of the peer's response (no secrets).
    package var message: String

    /// Creates an error.
    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The kind and message.
    package var description: String { "\(kind): \(message)" }
}
