/// An outbound HTTP request.
package struct HTTPRequest: Sendable {
    /// The request method.
    package var method: HTTPMethod
    /// The absolute URL, including any query string.
    package var url: String
    /// Request header fields.
    package var headers: HTTPHeaders
    /// The request body, if any.
    package var body: [UInt8]?
    /// Overrides the client's total timeout for this request.
    package var timeout: Duration?

    /// Creates a request.
    package init(method: HTTPMethod = .get, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil, timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}
