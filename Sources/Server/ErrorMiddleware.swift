import Hummingbird
import Logging

/// Turns every error into a JSON answer with a stable code; unexpected errors become a bare
/// `500 internal_error` and are logged (their text may hold details a client must not see).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let mapped = APIError(mapping: error) {
                if mapped.status == .serviceUnavailable {
                    context.logger.warning("database unavailable", metadata: ["route": "\(context.endpointPath ?? "-")"])
                }
                return try mapped.response(from: request, context: context)
            }
            context.logger.error(
                "request failed", metadata: ["route": "\(context.endpointPath ?? "-")", "error": "\(error)"])
            return try APIError(.internalServerError, "internal_error", "the server failed to answer").response(from: request, context: context)
        }
    }
}
