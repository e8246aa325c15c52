import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Logging
import NIOCore
import PostgresClient
import Server
import ServiceLifecycle
import Sync
import Synchronization
import TestSupport

/// An Omnistock server over a fresh seeded database, with one channel of each webhook kind: `pos`
/// (omnistock-json), `webshop` (shopify) and `woo` (woocommerce). Live on a loopback port (``start(adjust:now:bodySecret:workerProblem:)``,
/// ``with(adjust:now:bodySecret:workerProblem:_:)``) or its router in process (``withRouter(adjust:_:)``).
final class ServerHarness: Sendable {
    static let writeToken = "test-write-token"
    static let readToken = "test-read-token"
    /// The Standard Webhooks specification's published example secret.
    static let posSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let shopifySecret = "shpss_app_secret"
    static let wooSecret = "wc-webhook-secret"

    let fixture: LedgerFixture
    let server: OmnistockHTTPServer
    let port: Int
    let client = CurlHTTPClient()
    /// The live server's service group and the task running it (nil in process).
    private let running: (ServiceGroup, Task<Void, Never>)?
    /// HummingbirdTesting's in-process client (nil for a live server).
    private let router: (any TestClientProtocol)?

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var pool: PostgresPool { fixture.database.pool }

    /// Starts a server on a loopback port; `adjust` changes the settings first, `now` is the webhook clock, and
    /// `bodySecret` replaces the shopify and woocommerce channels' secrets.
    static func start(
        adjust: (inout ServerSettings) -> Void = { _ in }, now: @escaping @Sendable () -> Date = Date.init, bodySecret: String? = nil,
        workerProblem: @escaping @Sendable () -> String? = { nil }
    ) async throws -> ServerHarness {
        let (fixture, server) = try makeServer(adjust: adjust, now: now, bodySecret: bodySecret, workerProblem: workerProblem)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(configuration: .init(services: [server.makeApplication { continuation.yield($0) }], logger: Self.logger))
        let task = Task {
            try? await group.run()
            continuation.finish()
        }
        guard let port = await ports.first(where: { _ in true }) else { throw CancellationError() }
        return ServerHarness(fixture: fixture, server: server, port: port, running: (group, task), router: nil)
    }

    /// Runs `body` against the server's router in this process (HummingbirdTesting's `.router`: no socket, no
    /// HTTP client), for tests of what the routes answer rather than of the network.
    static func withRouter<T: Sendable>(
        adjust: (inout ServerSettings) -> Void = { _ in }, _ body: @escaping @Sendable (ServerHarness) async throws -> T
    ) async throws -> T {
        let (fixture, server) = try makeServer(adjust: adjust, now: Date.init, bodySecret: nil, workerProblem: { nil })
        return try await Application(router: server.makeRouter()).test(.router) { client in
            try await body(ServerHarness(fixture: fixture, server: server, port: 0, running: nil, router: client))
        }
    }

    static let logger = {
        var logger = Logger(label: "omnistock.server.test")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh seeded database and a server over it, with the three webhook channels.
    private static func makeServer(
        adjust: (inout ServerSettings) -> Void, now: @escaping @Sendable () -> Date, bodySecret: String?,
        workerProblem: @escaping @Sendable () -> String?
    ) throws -> (LedgerFixture, OmnistockHTTPServer) {
        let fixture = try LedgerFixture(maxConnections: 4)
        var settings = ServerSettings(
            host: "127.0.0.1", port: 0,
            tokens: [APIToken(token: writeToken, scope: .write), APIToken(token: readToken, scope: .read)],
            requestTimeout: .seconds(5))
        adjust(&settings)
        let http = CurlHTTPClient()
        let channels: [String: any ChannelVocabulary.Channel] = [
            "pos": OmnistockJSONChannel(
                configuration: .init(baseURL: "http://127.0.0.1:1", token: "t", webhookSecrets: [posSecret]), client: http),
            "webshop": ShopifyChannel(
                configuration: ShopifyConfiguration(
                    shopURL: "http://127.0.0.1:1", accessToken: "t", webhookSecrets: ["old-secret", bodySecret ?? shopifySecret]),
                client: http),
            "woo": WooCommerceChannel(
                configuration: WooCommerceConfiguration(
                    siteURL: "http://127.0.0.1:1", consumerKey: "ck", consumerSecret: "cs", webhookSecrets: [bodySecret ?? wooSecret]),
                client: http),
        ]
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "pos", kind: "omnistock-json", modelsLocations: true, locations: [LedgerFixture.store]
            ).declaring(OmnistockJSONChannel.capabilities))
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "webshop", kind: "shopify", modelsLocations: true))
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "woo", kind: "woocommerce", modelsLocations: false))
        let server = OmnistockHTTPServer(
            settings: settings, pool: fixture.database.pool, ledger: fixture.ledger, channels: channels, logger: Self.logger, now: now,
            workerProblem: workerProblem)
        return (fixture, server)
    }

    private init(
        fixture: LedgerFixture, server: OmnistockHTTPServer, port: Int, running: (ServiceGroup, Task<Void, Never>)?,
        router: (any TestClientProtocol)?
    ) {
        self.fixture = fixture
        self.server = server
        self.port = port
        self.running = running
        self.router = router
    }

    /// Runs `body` against a fresh server and stops it afterwards, whatever happens.
    static func with<T>(
        adjust: (inout ServerSettings) -> Void = { _ in }, now: @escaping @Sendable () -> Date = Date.init, bodySecret: String? = nil,
        workerProblem: @escaping @Sendable () -> String? = { nil }, _ body: (ServerHarness) async throws -> T
    ) async throws -> T {
        let harness = try await start(adjust: adjust, now: now, bodySecret: bodySecret, workerProblem: workerProblem)
        do {
            let value = try await body(harness)
            await harness.stop()
            return value
        } catch {
            await harness.stop()
            throw error
        }
    }

    func stop() async {
        if let (group, task) = running {
            await group.triggerGracefulShutdown()
            await task.value
        }
        client.shutdown()
    }

    /// Sends a request; `token` becomes `Authorization: Bearer …`.
    func send(
        _ method: CurlHTTP.HTTPMethod, _ path: String, token: String? = nil, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) async throws -> CurlHTTP.HTTPResponse {
        var fields = HTTPHeaders()
        if let token { fields.add(name: "Authorization", value: "Bearer \(token)") }
        if body != nil { fields.add(name: "Content-Type", value: "application/json") }
        for (name, value) in headers { fields.add(name: name, value: value) }
        guard let router else {
            return try await client.execute(CurlHTTP.HTTPRequest(method: method, url: baseURL + path, headers: fields, body: body))
        }
        let response = try await router.executeRequest(
            uri: path, method: HTTPTypes.HTTPRequest.Method(method.rawValue)!,
            headers: HTTPFields(fields.compactMap { field in HTTPField.Name(field.name).map { HTTPField(name: $0, value: field.value) } }),
            body: body.map { ByteBuffer(bytes: $0) })
        return CurlHTTP.HTTPResponse(
            status: Int(response.status.code), headers: HTTPHeaders(response.headers.map { .init(name: $0.name.rawName, value: $0.value) }),
            body: Array(buffer: response.body))
    }

    /// Sends JSON text.
    func send(
        _ method: CurlHTTP.HTTPMethod, _ path: String, token: String? = nil, headers: [(String, String)] = [], json: String
    ) async throws -> CurlHTTP.HTTPResponse {
        try await send(method, path, token: token, headers: headers, body: Array(json.utf8))
    }

    /// The number of inbox rows (for "nothing stored" checks).
    func inboxCount(channel: String? = nil) throws -> Int {
        try fixture.scalar("SELECT count(*)::int FROM inbox WHERE $1::text IS NULL OR channel = $1", [channel])
    }
}

extension CurlHTTP.HTTPResponse {
    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}
