import ChannelVocabulary
import CurlHTTP
import Foundation
import Metrics

/// The HTTP mechanism every adapter shares: base URL, credentials (with one refresh on `401`),
/// JSON bodies, classification of failures into ``ChannelError``, and the count of requests by API host and
/// answer (`omnistock_channel_requests_total{host,status}`, `status` = the HTTP status or `failed` when no answer came).
package struct ChannelTransport: Sendable {
    /// The client whose connection cache all calls share.
    package let client: CurlHTTPClient
    /// The API root, without a trailing slash.
    package let baseURL: String
    /// Adds credentials.
    package let authorizer: any RequestAuthorizer
    /// The media type of JSON bodies and answers (`application/json` unless the API has its own).
    package let mediaType: String
    /// The `User-Agent` sent with every request, if it should differ from the client's.
    package let userAgent: String?
    /// The API's host, the `host` dimension of the request count.
    private let host: String

    /// Creates a transport.
    package init(
        client: CurlHTTPClient, baseURL: String, authorizer: any RequestAuthorizer,
        mediaType: String = "application/json", userAgent: String? = nil
    ) {
        self.client = client
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.authorizer = authorizer
        self.mediaType = mediaType
        self.userAgent = userAgent
        self.host = URLComponents(string: baseURL)?.host ?? "unknown"
    }

    /// Sends a request and returns the answer whatever its status; only transport failures throw (as transient).
    package func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json: JSON? = nil,
        headers: HTTPHeaders = [:], rawBody: [UInt8]? = nil, contentType: String? = nil
    ) async throws(ChannelError) -> HTTPResponse {
        var request = HTTPRequest(method: method, url: url(path, query: query), headers: headers)
        request.headers.replaceOrAdd(name: "Accept", value: mediaType)
        if let userAgent { request.headers.replaceOrAdd(name: "User-Agent", value: userAgent) }
        if let json {
            request.body = json.encoded()
            request.headers.replaceOrAdd(name: "Content-Type", value: mediaType)
        } else if let rawBody {
            request.body = rawBody
            request.headers.replaceOrAdd(name: "Content-Type", value: contentType ?? "application/octet-stream")
        }
        var response = try await execute(request)
        if response.status == 401, await authorizer.refreshAfterUnauthorized() {
            response = try await execute(request)
        }
        return response
    }

    /// Sends a request that must succeed and returns its JSON body (`null` when empty).
    package func call(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json: JSON? = nil, headers: HTTPHeaders = [:]
    ) async throws(ChannelError) -> (json: JSON, response: HTTPResponse) {
        let response = try await send(method, path, query: query, json: json, headers: headers)
        if let error = ResponseClassifier.error(for: response) { throw error }
        return (response.body.isEmpty ? .null : try JSON.parse(response.body), response)
    }

    private func execute(_ request: HTTPRequest) async throws(ChannelError) -> HTTPResponse {
        var request = request
        try await authorizer.authorize(&request)
        do {
            let response = try await client.execute(request)
            count(status: String(response.status))
            return response
        } catch {
            count(status: "failed")
            throw ChannelError(.transient, error.description)
        }
    }

    private func count(status: String) {
        Counter(label: "omnistock_channel_requests_total", dimensions: [("host", host), ("status", status)]).increment()
    }

    private func url(_ path: String, query: [(String, String)]) -> String {
        guard !query.isEmpty else { return baseURL + path }
        let encoded = query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        return baseURL + path + "?" + encoded
    }

    /// Percent-encodes a query component (everything but unreserved characters).
    static func escape(_ component: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return component.addingPercentEncoding(withAllowedCharacters: allowed) ?? component
    }
}

extension Array {
    /// The elements in consecutive slices of at most `size` (at least 1).
    func chunked(into size: Int) -> [[Element]] {
        let size = Swift.max(size, 1)
        return stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
