import ChannelVocabulary
import CurlHTTP
import Foundation

/// Adds a channel's credentials to outbound requests.
package protocol RequestAuthorizer: Sendable {
    /// Sets the credential headers on `request`.
    func authorize(_ request: inout HTTPRequest) async throws(ChannelError)

    /// Called once after a `401`: obtain fresh credentials and return `true` to have the request repeated.
    func refreshAfterUnauthorized() async -> Bool
}

extension RequestAuthorizer {
    /// Static credentials cannot be refreshed.
    package func refreshAfterUnauthorized() async -> Bool { false }
}

/// Credentials that never change: one header with a fixed value.
package struct HeaderAuthorizer: RequestAuthorizer {
    private let name: String
    private let value: String

    /// A header with a fixed value, e.g. `X-Shopify-Access-Token`.
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// `Authorization: Bearer <token>`.
    package static func bearer(_ token: String) -> HeaderAuthorizer {
        HeaderAuthorizer(name: "Authorization", value: "Bearer \(token)")
    }

    /// `Authorization: Basic <base64(user:password)>`.
    package static func basic(user: String, password: String) -> HeaderAuthorizer {
        HeaderAuthorizer(name: "Authorization", value: "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
    }

    /// Sets the header.
    package func authorize(_ request: inout HTTPRequest) async throws(ChannelError) {
        request.headers.replaceOrAdd(name: name, value: value)
    }
}
