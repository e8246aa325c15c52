/// An HTTP request method.
package struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method token as sent on the request line, e.g. `"GET"`.
    package let rawValue: String

    /// Creates a method from its token.
    package init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// `GET`.
    package static let get = HTTPMethod(rawValue: "GET")
    /// `HEAD`.
    package static let head = HTTPMethod(rawValue: "HEAD")
    /// `POST`.
    package static let post = HTTPMethod(rawValue: "POST")
    /// `PUT`.
    package static let put = HTTPMethod(rawValue: "PUT")
    /// `PATCH`.
    package static let patch = HTTPMethod(rawValue: "PATCH")
    /// `DELETE`.
    package static let delete = HTTPMethod(rawValue: "DELETE")

    /// The method token.
    package var description: String { rawValue }
}
