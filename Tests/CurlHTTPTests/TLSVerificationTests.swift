import ChannelSimulators
import CurlHTTP
import Foundation
import Hummingbird
import Support
import Testing

/// An `openssl s_server -www` with a fresh self-signed certificate for 127.0.0.1.
final class SelfSignedTLSServer {
    let directory: URL
    let port: Int
    private let process: ChildProcess

    var certificate: String { directory.appendingPathComponent("cert.pem").path }

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("omnistock-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = directory.appendingPathComponent("key.pem").path
        let certificate = directory.appendingPathComponent("cert.pem").path
        _ = try ChildProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
            ])
        // Borrow a free port from a server that binds port 0, then hand it to openssl.
        let probe = LocalServer()
        port = try await probe.start(router: .init())
        await probe.stop()
        process = try ChildProcess(
            "/usr/bin/openssl", ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-www", "-quiet"])
    }

    /// Waits until the server completes a verified request; false when it never does (its borrowed port
    /// may have been taken by another test meanwhile).
    func waitUntilReady(_ client: CurlHTTPClient) async throws -> Bool {
        for _ in 0..<100 {
            if (try? await client.execute(CurlHTTP.HTTPRequest(url: "https://127.0.0.1:\(port)/"))) != nil { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// A server that answers a client trusting its certificate, after up to three attempts on fresh ports.
    static func ready() async throws -> (SelfSignedTLSServer, CurlHTTPClient) {
        for _ in 0..<3 {
            let server = try await SelfSignedTLSServer()
            let trusting = CurlHTTPClient(configuration: HTTPClientConfiguration(caFile: server.certificate))
            if try await server.waitUntilReady(trusting) { return (server, trusting) }
            trusting.shutdown()
            server.stop()
        }
        throw CancellationError()
    }

    func stop() {
        // s_server does not exit on SIGTERM while it waits for a connection.
        process.send(SIGKILL)
        process.wait()
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("TLS verification", .serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
struct TLSVerificationTests {
    @Test("a self-signed server is refused by default and accepted with its certificate as CA file")
    func selfSigned() async throws {
        let (server, trusting) = try await SelfSignedTLSServer.ready()
        defer { server.stop() }
        defer { trusting.shutdown() }
        let url = "https://127.0.0.1:\(server.port)/"

        let response = try await trusting.execute(CurlHTTP.HTTPRequest(url: url))
        #expect(response.status == 200)

        let system = CurlHTTPClient()
        defer { system.shutdown() }
        let refused = await #expect(throws: HTTPClientError.self) { try await system.execute(CurlHTTP.HTTPRequest(url: url)) }
        #expect(refused?.kind == .tls)

        let missing = CurlHTTPClient(configuration: HTTPClientConfiguration(caFile: server.directory.appendingPathComponent("none.pem").path))
        defer { missing.shutdown() }
        let badFile = await #expect(throws: HTTPClientError.self) { try await missing.execute(CurlHTTP.HTTPRequest(url: url)) }
        #expect(badFile?.kind == .tls)
    }

    @Test("a plain-HTTP server cannot pass for HTTPS")
    func plainHTTP() async throws {
        try await withServer(HTTPClientConfiguration(connectTimeout: .seconds(15))) { server, client in
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.execute(CurlHTTP.HTTPRequest(url: "https://127.0.0.1:\(server.port)/hello"))
            }
            #expect(error?.kind == .tls)
        }
    }
}
