import CurlHTTP
import Testing

@Suite("CurlHTTPClient against a local server")
struct CurlHTTPClientTests {
    @Test("GET returns status, body and HTTP/1.1 over plain HTTP")
    func get() async throws {
        let server = try await TestServer.start()
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let response = try await client.execute(CurlHTTP.HTTPRequest(url: "\(server.baseURL)/hello"))
        #expect(response.status == 200)
        #expect(response.bodyText == "hello")
        #expect(response.httpVersion == 1)
        await server.stop()
    }

    @Test("request method, headers and body reach the server")
    func putEcho() async throws {
        let server = try await TestServer.start()
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let request = CurlHTTP.HTTPRequest(
            method: .put,
            url: "\(server.baseURL)/echo",
            headers: ["Content-Type": "application/json", "Authorization": "Bearer t0k"],
            body: Array(#"{"a":1}"#.utf8)
        )
        let response = try await client.execute(request)
        #expect(response.bodyText == #"{"a":1}"#)
        #expect(response.headers["x-echo-method"] == "PUT")
        #expect(response.headers["X-ECHO-AUTH"] == "Bearer t0k")
        #expect(response.headers["content-type"] == "application/json")
        await server.stop()
    }

    @Test("response headers: case-insensitive, several values, Retry-After")
    func multiValueHeaders() async throws {
        let server = try await TestServer.start()
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let response = try await client.execute(CurlHTTP.HTTPRequest(url: "\(server.baseURL)/multi"))
        #expect(response.status == 429)
        #expect(response.headers.values(for: "set-cookie") == ["a=1", "b=2"])
        #expect(response.headers["retry-after"] == "7")
        await server.stop()
    }

    @Test("sequential requests reuse one kept-alive connection")
    func keepAlive() async throws {
        let server = try await TestServer.start()
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        var opened: [Int] = []
        for _ in 0..<5 {
            opened.append(try await client.execute(CurlHTTP.HTTPRequest(url: "\(server.baseURL)/hello")).newConnections)
        }
        #expect(opened == [1, 0, 0, 0, 0])
        await server.stop()
    }

    @Test("without reuse every request opens a new connection")
    func forbidReuse() async throws {
        let server = try await TestServer.start()
        let client = CurlHTTPClient(configuration: HTTPClientConfiguration(reuseConnections: false))
        defer { client.shutdown() }
        for _ in 0..<3 {
            #expect(try await client.execute(CurlHTTP.HTTPRequest(url: "\(server.baseURL)/hello")).newConnections == 1)
        }
        await server.stop()
    }

    @Test("concurrent requests all complete")
    func concurrent() async throws {
        let server = try await TestServer.start()
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<40 {
                group.addTask { try await client.execute(CurlHTTP.HTTPRequest(url: "\(server.baseURL)/hello")).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 40))
        await server.stop()
    }

    @Test("the total timeout fails with kind timeout")
    func timeout() async throws {
        let server = try await TestServer.start()
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.execute(CurlHTTP.HTTPRequest(url: "\(server.baseURL)/slow", timeout: .milliseconds(300)))
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.isEmpty == false)
        await server.stop()
    }

    @Test("a refused connection fails with kind connect")
    func connectRefused() async throws {
        let server = try await TestServer.start()
        let url = "\(server.baseURL)/hello"
        await server.stop()
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.execute(CurlHTTP.HTTPRequest(url: url))
        }
        #expect(error?.kind == .connect)
    }

    @Test("a body over the size limit aborts with kind tooLarge")
    func sizeLimit() async throws {
        let server = try await TestServer.start()
        let client = CurlHTTPClient(configuration: HTTPClientConfiguration(maxResponseSize: 10_000))
        defer { client.shutdown() }
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.execute(CurlHTTP.HTTPRequest(url: "\(server.baseURL)/large"))
        }
        #expect(error?.kind == .tooLarge)
        await server.stop()
    }

    @Test("shutdown fails requests in flight with kind cancelled, and later ones at once")
    func shutdownCancels() async throws {
        let server = try await TestServer.start()
        let client = CurlHTTPClient()
        let inFlight = Task { () throws(HTTPClientError) -> HTTPResponse in
            try await client.execute(CurlHTTP.HTTPRequest(url: "\(server.baseURL)/slow"))
        }
        try await Task.sleep(for: .milliseconds(200))
        client.shutdown()
        await #expect(throws: HTTPClientError.cancelled) { try await inFlight.result.get() }
        await #expect(throws: HTTPClientError.cancelled) {
            try await client.execute(CurlHTTP.HTTPRequest(url: "\(server.baseURL)/hello"))
        }
        await server.stop()
    }

    @Test("cancelling the task cancels its request")
    func taskCancellation() async throws {
        let server = try await TestServer.start()
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let task = Task { () throws(HTTPClientError) -> HTTPResponse in
            try await client.execute(CurlHTTP.HTTPRequest(url: "\(server.baseURL)/slow"))
        }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let start = ContinuousClock.now
        await #expect(throws: HTTPClientError.cancelled) { try await task.value }
        #expect(ContinuousClock.now - start < .seconds(2))
        await server.stop()
    }

    @Test("TLS verification rejects a server whose certificate it cannot verify")
    func tlsVerification() async throws {
        let server = try await TestServer.start()
        let client = CurlHTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(2)))
        defer { client.shutdown() }
        // A plain-HTTP server cannot complete a TLS handshake: verification never succeeds silently.
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.execute(CurlHTTP.HTTPRequest(url: "https://127.0.0.1:\(server.port)/hello"))
        }
        #expect(error?.kind == .tls)
        await server.stop()
    }
}
