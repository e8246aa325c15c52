import Foundation
import Hummingbird

/// An error answer with a stable machine-readable code: `{"error": code, "message": …}`, plus
/// `available` for `insufficient_stock`. Messages never carry secrets or SQL.
struct APIError: Error, HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    /// For `insufficient_stock`: the units that are available.
    var available: Int?
    /// For `rate_limited` and `database_unavailable`: seconds before trying again.
    var retryAfter: Int?

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, available: Int? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.available = available
        self.retryAfter = retryAfter
    }

    static func invalidRequest(_ message: String) -> APIError { APIError(.badRequest, "invalid_request", message) }
    static func notFound(_ code: String, _ message: String) -> APIError { APIError(.notFound, code, message) }
    static let unauthorized = APIError(.unauthorized, "unauthorized", "a valid bearer token is required")
    static let forbidden = APIError(.forbidden, "forbidden", "the token's scope does not allow this")
    static let payloadTooLarge = APIError(.contentTooLarge, "payload_too_large", "the request body is too large")
    static let databaseUnavailable = APIError(
        .serviceUnavailable, "database_unavailable", "the database is not reachable; try again", retryAfter: 1)

    static func rateLimited(retryAfter seconds: Int) -> APIError {
        APIError(.tooManyRequests, "rate_limited", "too many requests; try again later", retryAfter: seconds)
    }

    private struct Body: Encodable {
        var error: String
        var message: String
        var available: Int?
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONBody.response(Body(error: code, message: message, available: available), status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}
