/// A request a simulator received, as it arrived.
package struct RecordedRequest: Sendable {
    /// The method, e.g. `PUT`.
    package var method: String
    /// The path without the query.
    package var path: String
    /// The raw query string, if any.
    package var query: String?
    /// Header fields, names lowercased, in arrival order.
    package var headers: [(name: String, value: String)]
    /// The raw body.
    package var body: [UInt8]

    /// The first value of header `name` (case-insensitive).
    package func header(_ name: String) -> String? {
        headers.first { $0.name == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    package var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }
}
