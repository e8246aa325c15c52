/// An outbound HTTP request.
public struct HTTPRequest: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The absolute URL, including any query string.
    public var url: String
    /// Request header fields.
    public var headers: HTTPHeaders
    /// The request body, if any.
    public var body: [UInt8]?
    /// Overrides the client's total timeout for this request.
    public var timeout: Duration?

    /// Creates a request.
    public init(method: HTTPMethod = .get, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil, timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}
