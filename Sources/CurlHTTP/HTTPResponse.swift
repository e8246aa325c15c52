/// A complete HTTP response.
public struct HTTPResponse: Sendable {
    /// The status code of the final response (after any `100 Continue`).
    public var status: Int
    /// The header fields of the final response.
    public var headers: HTTPHeaders
    /// The response body, decoded from any content encoding.
    public var body: [UInt8]
    /// The HTTP major version used: 1 or 2 (3 where libcurl supports it).
    public var httpVersion: Int
    /// How many new connections the transfer opened: 0 when it reused a kept-alive connection.
    public var newConnections: Int

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], httpVersion: Int = 1, newConnections: Int = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
        self.newConnections = newConnections
    }

    /// The body decoded as UTF-8 (invalid sequences repaired).
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }
}
