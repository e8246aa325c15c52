import Foundation
import Hummingbird

/// Percent-decodes every path parameter once, before any handler reads it, so a SKU such as
/// `A/B`, `100%-cotton` or `SKU with space` (sent as `A%2FB`, `100%25-cotton`, `SKU%20with%20space`)
/// reaches the handler as written. The router matches on the raw path, so an encoded `/` stays inside
/// its parameter. A parameter that is not valid percent-encoding is refused with `400`.
struct PercentDecodingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.parameters.contains(where: { $0.value.contains("%") }) else { return try await next(request, context) }
        var context = context
        var decoded: [(key: Substring, value: Substring)] = []
        for (key, value) in context.parameters {
            guard let plain = String(value).removingPercentEncoding else {
                throw APIError.invalidRequest("the path parameter \(key) is not valid percent-encoding")
            }
            decoded.append((key: key, value: Substring(plain)))
        }
        context.coreContext.parameters = Parameters(decoded)
        return try await next(request, context)
    }
}
