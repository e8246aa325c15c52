import PostgresClient

/// How the HTTP server listens and what it allows. A plain value: the `omnistock` command maps its
/// configuration file onto it.
package struct ServerSettings: Sendable {
    /// The address to bind, e.g. `127.0.0.1`.
    package var host: String
    /// The port to bind; 0 picks a free one (see ``OmnistockHTTPServer/makeApplication(onListening:)``).
    package var port: Int
    /// Bearer tokens accepted by the admin API.
    package var tokens: [APIToken]
    /// The largest request body accepted (webhooks and admin writes); larger ones get `413`.
    package var maxBodyBytes: Int
    /// The longest request target (path and query) accepted; longer ones get `414`.
    package var maxURLBytes: Int
    /// The largest single header field, and of the whole header block, the HTTP decoder accepts.
    package var maxHeaderBytes: Int
    /// The most header fields in one request.
    package var maxHeaderCount: Int
    /// Requests per admin token; over it `429` with `Retry-After`. Nil: unlimited.
    package var tokenRateLimit: RateLimit?
    /// Verified webhook requests per channel; over it `429` with `Retry-After`. Nil: unlimited.
    package var channelRateLimit: RateLimit?
    /// How long a request may wait for the database before it is answered `503`.
    package var requestTimeout: Duration
    /// How long an idle keep-alive connection (or one that stalls mid-request) stays open.
    package var idleTimeout: Duration
    /// Most connections served at once; further ones wait in the listen queue until one closes. Nil: no cap.
    package var maxConnections: Int?
    /// How webhooks that arrive together are gathered into one inbox write (`InboxWriter`).
    package var groupCommit: GroupCommitSettings

    /// Creates settings; the defaults are those of DESIGN.md and the issue (1 MiB bodies, 127.0.0.1:8080).
    package init(
        host: String = "127.0.0.1", port: Int = 8080, tokens: [APIToken] = [], maxBodyBytes: Int = 1 << 20,
        maxURLBytes: Int = 8 << 10, maxHeaderBytes: Int = 32 << 10, maxHeaderCount: Int = 100,
        tokenRateLimit: RateLimit? = RateLimit(perSecond: 50, burst: 100),
        channelRateLimit: RateLimit? = RateLimit(perSecond: 200, burst: 400),
        requestTimeout: Duration = .seconds(15), idleTimeout: Duration = .seconds(60), maxConnections: Int? = nil,
        groupCommit: GroupCommitSettings = GroupCommitSettings()
    ) {
        self.groupCommit = groupCommit
        self.maxConnections = maxConnections
        self.host = host
        self.port = port
        self.tokens = tokens
        self.maxBodyBytes = maxBodyBytes
        self.maxURLBytes = maxURLBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.tokenRateLimit = tokenRateLimit
        self.channelRateLimit = channelRateLimit
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
    }
}

/// An admin API bearer token and what it may do.
package struct APIToken: Sendable {
    /// What a token may do; `write` includes `read`.
    package enum Scope: String, Sendable {
        /// Read stock, conflicts, channels and reconcile runs.
        case read
        /// Also reserve, move stock and start reconciles.
        case write

        /// Whether a token of this scope may do what `required` allows.
        func allows(_ required: Scope) -> Bool { self == .write || required == .read }
    }

    /// The secret as the client sends it after `Bearer `.
    package var token: String
    /// What it allows.
    package var scope: Scope

    /// Creates a token.
    package init(token: String, scope: Scope) {
        self.token = token
        self.scope = scope
    }
}

/// A token-bucket limit: `perSecond` sustained, up to `burst` at once.
package struct RateLimit: Sendable, Equatable {
    /// Requests added to the bucket per second.
    package var perSecond: Double
    /// The bucket's size.
    package var burst: Int

    /// Creates a limit.
    package init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }
}
