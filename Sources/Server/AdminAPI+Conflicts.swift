import Hummingbird
import Ledger

extension AdminAPI {
    /// `GET /v1/conflicts`: open conflicts, newest first; `?all=true` includes resolved ones; `?limit=` (1–1000, default 100).
    func registerConflicts(read: Group) {
        read.get("/conflicts") { request, _ in
            let all = try Self.flag(request.uri.queryParameters["all"], name: "all")
            let limit = try Self.limit(request.uri.queryParameters["limit"])
            let json = try await database.run { try ConflictStore.listJSON(all: all, limit: limit, pool: $0) }
            return JSONBody.raw(Array((json ?? #"{"conflicts":[]}"#).utf8))
        }
    }

    /// `true`/`false` (absent: false); anything else is `invalid_request`.
    static func flag(_ value: Substring?, name: String) throws -> Bool {
        switch value {
        case nil, "false": return false
        case "true": return true
        default: throw APIError.invalidRequest("\(name) must be true or false")
        }
    }

    static func limit(_ value: Substring?) throws -> Int {
        guard let value else { return 100 }
        guard let limit = Int(value), (1...1000).contains(limit) else {
            throw APIError.invalidRequest("limit must be a whole number from 1 to 1000")
        }
        return limit
    }
}
