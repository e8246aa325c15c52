import Hummingbird

/// Records every answer in ``ServerMetrics`` by route template (`/v1/stock/{sku}`, not the SKU).
/// Sits outside ``ErrorMiddleware``, so it sees the final status of every request.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var status = 500
        defer {
            metrics.recordRequest(
                route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status,
                duration: ContinuousClock.now - started)
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }
}
