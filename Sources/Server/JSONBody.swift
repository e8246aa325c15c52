import Foundation
import Hummingbird
import NIOCore

/// JSON in and out of the API: snake_case keys, RFC 3339 dates, sorted keys.
enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// A JSON response of `value`.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"internal_error"}"#.utf8)
        return raw(data, status: status)
    }

    /// A response whose body is already JSON text (built by PostgreSQL, say).
    static func raw(_ json: some DataProtocol, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// Reads the body (at most `limit` bytes, else `payload_too_large`).
    static func collect(_ request: inout Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.payloadTooLarge
        }
        do {
            return try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge
        } catch is NIOTooManyBytesError {
            // A chunked body has no Content-Length to check first: it overran the limit while being read.
            throw APIError.payloadTooLarge
        }
    }

    /// Reads and decodes a JSON body; a body that does not fit `T` is `invalid_request`.
    static func decode<T: Decodable>(_ type: T.Type, from request: inout Request, limit: Int) async throws -> T {
        try decode(type, from: try await collect(&request, limit: limit))
    }

    /// Decodes a JSON body already read; a body that does not fit `T` is `invalid_request`.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        do {
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError.invalidRequest("the JSON body does not match the schema: \(describe(error))")
        } catch {
            throw APIError.invalidRequest("the body is not valid JSON")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "bad value at \(context.codingPath.map(\.stringValue).joined(separator: ".").nilIfEmpty ?? "top level")"
        @unknown default: "bad value"
        }
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
