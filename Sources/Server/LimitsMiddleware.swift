import Hummingbird

/// Refuses request targets longer than the configured limit with `414`.
/// (Header sizes are limited by the HTTP decoder; bodies by each handler as it reads them.)
struct LimitsMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxURLBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.description.utf8.count <= maxURLBytes else {
            throw APIError(.uriTooLong, "invalid_request", "the request target is too long")
        }
        return try await next(request, context)
    }
}
