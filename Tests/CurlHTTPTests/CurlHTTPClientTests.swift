import CurlHTTP
import Foundation
import Testing

@Suite("CurlHTTPClient against a local server")
struct CurlHTTPClientTests {
    @Test("GET returns status, body and HTTP/1.1 over plain HTTP")
    func getHello() async throws {
        try await withServer { server, client in
            let response = try await client.execute(get(server, "/hello"))
            #expect(response.status == 200)
            #expect(response.bodyText == "hello")
            #expect(response.httpVersion == 1)
        }
    }

    @Test("request method, headers and body reach the server")
    func putEcho() async throws {
        try await withServer { server, client in
            let request = CurlHTTP.HTTPRequest(
                method: .put, url: "\(server.baseURL)/echo",
                headers: ["Content-Type": "application/json", "Authorization": "Bearer t0k"], body: Array(#"{"a":1}"#.utf8)
            )
            let response = try await client.execute(request)
            #expect(response.bodyText == #"{"a":1}"#)
            #expect(response.headers["x-echo-method"] == "PUT")
            #expect(response.headers["X-ECHO-AUTH"] == "Bearer t0k")
            #expect(response.headers["content-type"] == "application/json")
        }
    }

    @Test("response headers: case-insensitive, several values, Retry-After")
    func multiValueHeaders() async throws {
        try await withServer { server, client in
            let response = try await client.execute(get(server, "/multi"))
            #expect(response.status == 429)
            #expect(response.headers.values(for: "set-cookie") == ["a=1", "b=2"])
            #expect(response.headers["retry-after"] == "7")
        }
    }

    @Test("sequential requests reuse one kept-alive connection")
    func keepAlive() async throws {
        try await withServer { server, client in
            var opened: [Int] = []
            for _ in 0..<5 {
                opened.append(try await client.execute(get(server, "/hello")).newConnections)
            }
            #expect(opened == [1, 0, 0, 0, 0])
        }
    }

    @Test("without reuse every request opens a new connection")
    func forbidReuse() async throws {
        try await withServer(HTTPClientConfiguration(reuseConnections: false)) { server, client in
            for _ in 0..<3 {
                let response = try await client.execute(get(server, "/hello"))
                #expect(response.newConnections == 1)
            }
        }
    }

    @Test("concurrent requests all complete")
    func concurrent() async throws {
        try await withServer { server, client in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<40 {
                    group.addTask { try await client.execute(get(server, "/hello")).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 40))
        }
    }

    @Test("the total timeout fails with kind timeout")
    func timeout() async throws {
        try await withServer { server, client in
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.execute(get(server, "/slow", timeout: .milliseconds(300)))
            }
            #expect(error?.kind == .timeout)
            #expect(error?.message.isEmpty == false)
        }
    }

    @Test("a refused connection fails with kind connect")
    func connectRefused() async throws {
        // A bound socket that does not listen refuses connections, and keeps its port from other tests.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.execute(CurlHTTP.HTTPRequest(url: "http://127.0.0.1:\(port)/hello"))
        }
        #expect(error?.kind == .connect)
    }

    @Test("a body over the size limit aborts with kind tooLarge")
    func sizeLimit() async throws {
        try await withServer(HTTPClientConfiguration(maxResponseSize: 10_000)) { server, client in
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.execute(get(server, "/large"))
            }
            #expect(error?.kind == .tooLarge)
        }
    }

    @Test("shutdown fails requests in flight with kind cancelled, and later ones at once")
    func shutdownCancels() async throws {
        try await withServer { server, client in
            let inFlight = Task { () throws(HTTPClientError) -> HTTPResponse in try await client.execute(get(server, "/slow")) }
            try await Task.sleep(for: .milliseconds(200))
            client.shutdown()
            await #expect(throws: HTTPClientError.cancelled) { try await inFlight.result.get() }
            await #expect(throws: HTTPClientError.cancelled) { try await client.execute(get(server, "/hello")) }
        }
    }

    @Test("cancelling the task cancels its request")
    func taskCancellation() async throws {
        try await withServer { server, client in
            let task = Task { () throws(HTTPClientError) -> HTTPResponse in try await client.execute(get(server, "/slow")) }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            let start = ContinuousClock.now
            await #expect(throws: HTTPClientError.cancelled) { try await task.value }
            #expect(ContinuousClock.now - start < .seconds(2))
        }
    }

    @Test("the callback API delivers the response on the given queue")
    func callback() async throws {
        try await withServer { server, client in
            let status = await withCheckedContinuation { continuation in
                client.execute(get(server, "/hello")) { result in
                    continuation.resume(returning: (try? result.get())?.status ?? 0)
                }
            }
            #expect(status == 200)
        }
    }
}
