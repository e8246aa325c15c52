import ChannelSimulators
import CurlHTTP
import Hummingbird

/// A local server with routes that exercise the client: echo, slow, large and counted responses.
struct TestServer {
    let server: LocalServer
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start() async throws -> TestServer {
        let router = Router()
        router.get("/hello") { _, _ in "hello" }
        router.on("/echo", method: .put) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers = HTTPFields()
            headers[.contentType] = request.headers[.contentType] ?? "none"
            headers[.init("X-Echo-Method")!] = "\(request.method)"
            headers[.init("X-Echo-Auth")!] = request.headers[.authorization] ?? "none"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
        router.get("/multi") { _, _ -> Response in
            var headers = HTTPFields()
            headers[values: .setCookie] = ["a=1", "b=2"]
            headers[.retryAfter] = "7"
            return Response(status: .tooManyRequests, headers: headers)
        }
        router.get("/slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(3))
            return "late"
        }
        router.get("/large") { _, _ -> String in
            String(repeating: "x", count: 200_000)
        }
        let server = LocalServer()
        let port = try await server.start(router: router)
        return TestServer(server: server, port: port)
    }

    func stop() async {
        await server.stop()
    }
}

/// Runs `body` against a fresh test server with a client of `configuration`, then shuts both down.
func withServer(
    _ configuration: HTTPClientConfiguration = HTTPClientConfiguration(),
    _ body: (TestServer, CurlHTTPClient) async throws -> Void
) async throws {
    let server = try await TestServer.start()
    let client = CurlHTTPClient(configuration: configuration)
    do {
        try await body(server, client)
    } catch {
        client.shutdown()
        await server.stop()
        throw error
    }
    client.shutdown()
    await server.stop()
}

/// A GET of `path` on `server`.
func get(_ server: TestServer, _ path: String, timeout: Duration? = nil) -> CurlHTTP.HTTPRequest {
    CurlHTTP.HTTPRequest(url: server.baseURL + path, timeout: timeout)
}
