import Foundation
import Hummingbird
import Ledger

/// `GET /healthz`, `GET /readyz`, `GET /metrics` and `GET /v1/openapi.json`: no authentication.
struct OperationsRoutes: Sendable {
    let database: DatabaseRunner
    let metrics: ServerMetrics
    let channelCodes: [String]
    let openAPI: [UInt8]
    let workerProblem: @Sendable () -> String?

    private struct Health: Encodable {
        var status: String
        var schemaVersion: Int?
        var expectedSchemaVersion: Int?
        var detail: String?
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in JSONBody.response(Health(status: "ok")) }
        router.get("/") { _, _ in
            let snapshot = try await database.run { pool in try StatusPage.read(from: pool) }
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: StatusPage.html(snapshot))))
        }
        router.get("/readyz") { _, _ in await readiness() }
        router.get("/metrics") { _, _ in
            await metrics.database.refresh(using: database, channels: channelCodes)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        router.get("/v1/openapi.json") { _, _ in JSONBody.raw(openAPI) }
    }

    /// Ready when the database answers, its schema is at the version this build expects, and the worker
    /// reaches the database too (the server's pool may still hold a connection when the worker cannot open one).
    private func readiness() async -> Response {
        if let problem = workerProblem() {
            return JSONBody.response(Health(status: "worker_database_unavailable", detail: problem), status: .serviceUnavailable)
        }
        let expected = Migration.latestVersion
        guard let version = try? await database.run({ pool in try Migrator(pool: pool).currentVersion() }) else {
            return JSONBody.response(Health(status: "database_unavailable"), status: .serviceUnavailable)
        }
        let health = Health(status: version == expected ? "ready" : "schema_outdated", schemaVersion: version, expectedSchemaVersion: expected)
        return JSONBody.response(health, status: version == expected ? .ok : .serviceUnavailable)
    }
}
