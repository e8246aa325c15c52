/// Settings shared by every request of one ``CurlHTTPClient``.
package struct HTTPClientConfiguration: Sendable {
    /// The longest time to establish a connection (including TLS).
    package var connectTimeout: Duration
    /// The longest time for a whole request; ``HTTPRequest/timeout`` overrides it per request.
    package var totalTimeout: Duration
    /// The largest response body accepted; a larger one aborts with ``HTTPClientError/Kind/tooLarge``.
    package var maxResponseSize: Int
    /// A PEM file of trusted CA certificates used instead of the system store (for tests).
    package var caFile: String?
    /// The `User-Agent` header sent unless a request sets its own.
    package var userAgent: String
    /// Whether connections are kept alive and reused (turn off only to measure the difference).
    package var reuseConnections: Bool
    /// The most idle connections the connection cache keeps open.
    package var maxCachedConnections: Int

    /// Creates a configuration; the defaults suit calls to third-party APIs.
    package init(
        connectTimeout: Duration = .seconds(10),
        totalTimeout: Duration = .seconds(30),
        maxResponseSize: Int = 16 << 20,
        caFile: String? = nil,
        userAgent: String = "omnistock",
        reuseConnections: Bool = true,
        maxCachedConnections: Int = 32
    ) {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxResponseSize = maxResponseSize
        self.caFile = caFile
        self.userAgent = userAgent
        self.reuseConnections = reuseConnections
        self.maxCachedConnections = maxCachedConnections
    }
}

extension Duration {
    /// The duration in whole milliseconds, at least 1 for any positive duration.
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        let milliseconds = Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
        return milliseconds == 0 && attoseconds > 0 ? 1 : milliseconds
    }
}
