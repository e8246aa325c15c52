/// A request a simulator received, as it arrived.
public struct RecordedRequest: Sendable {
    /// The method, e.g. `PUT`.
    public var method: String
    /// The path without the query.
    public var path: String
    /// The raw query string, if any.
    public var query: String?
    /// Header fields, names lowercased, in arrival order.
    public var headers: [(name: String, value: String)]
    /// The raw body.
    public var body: [UInt8]

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }
}
