/// A complete HTTP response.
package struct HTTPResponse: Sendable {
    /// The status code of the final response (after any `100 Continue`).
    package var status: Int
    /// The header fields of the final response.
    package var headers: HTTPHeaders
    /// The response body, decoded from any content encoding.
    package var body: [UInt8]
    /// The HTTP major version used: 1 or 2 (3 where libcurl supports it).
    package var httpVersion: Int
    /// How many new connections the transfer opened: 0 when it reused a kept-alive connection.
    package var newConnections: Int

    /// Creates a response.
    package init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], httpVersion: Int = 1, newConnections: Int = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
        self.newConnections = newConnections
    }

    /// The body decoded as UTF-8 (invalid sequences repaired).
    package var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }
}
