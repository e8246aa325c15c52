import ChannelVocabulary
import Crypto
import Hummingbird

/// Admin API authentication: `Authorization: Bearer <token>` checked against every configured token;
/// `401` without a valid one, `403` when its scope is too narrow. Each token then spends from its own
/// rate-limit bucket.
///
/// Tokens are compared as HMACs under a per-process random key, in constant time and at a fixed
/// length, so neither the content nor the length of a configured token leaks through timing.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    private let scopes: [APIToken.Scope]
    private let digests: [[UInt8]]
    private let key: [UInt8]
    let required: APIToken.Scope
    let rateLimiter: RateLimiter?

    init(tokens: [APIToken], required: APIToken.Scope, rateLimiter: RateLimiter?) {
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let usable = tokens.filter { !$0.token.isEmpty }
        self.key = key
        self.scopes = usable.map(\.scope)
        self.digests = usable.map { Self.digest(Array($0.token.utf8), key: key) }
        self.required = required
        self.rateLimiter = rateLimiter
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let index = match(request.headers[.authorization]) else { throw APIError.unauthorized }
        guard scopes[index].allows(required) else { throw APIError.forbidden }
        try rateLimiter?.check("token-\(index)")
        return try await next(request, context)
    }

    /// The index of the configured token the header carries; every token is compared.
    private func match(_ header: String?) -> Int? {
        guard let header, header.utf8.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let presented = Self.digest(Array(header.utf8.dropFirst(7)), key: key)
        var found: Int?
        for (index, digest) in digests.enumerated() where ConstantTime.equals(digest, presented) {
            found = index
        }
        return found
    }

    private static func digest(_ token: [UInt8], key: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: token, using: SymmetricKey(data: key)))
    }
}
