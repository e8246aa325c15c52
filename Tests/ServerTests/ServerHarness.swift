import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Ledger
import Logging
import PostgresClient
import Server
import ServiceLifecycle
import Sync
import Synchronization
import TestSupport

/// A live Omnistock server on a loopback port, over a fresh seeded database, with one channel of each
/// webhook kind: `pos` (omnistock-json), `webshop` (shopify) and `woo` (woocommerce).
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
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var pool: PostgresPool { fixture.database.pool }

    /// Starts a server; `adjust` changes the settings first, `now` is the webhook clock, and
    /// `bodySecret` replaces the shopify and woocommerce channels' secrets.
    static func start(
        adjust: (inout ServerSettings) -> Void = { _ in }, now: @escaping @Sendable () -> Date = Date.init, bodySecret: String? = nil,
        workerProblem: @escaping @Sendable () -> String? = { nil }
    ) async throws -> ServerHarness {
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
                configuration: ShopifyConfiguration(shopURL: "http://127.0.0.1:1", accessToken: "t", webhookSecrets: ["old-secret", bodySecret ?? shopifySecret]),
                client: http),
            "woo": WooCommerceChannel(
                configuration: WooCommerceConfiguration(siteURL: "http://127.0.0.1:1", consumerKey: "ck", consumerSecret: "cs", webhookSecrets: [bodySecret ?? wooSecret]),
                client: http),
        ]
        try fixture.catalog.upsertChannel(ChannelDefinition(
            code: "pos", kind: "omnistock-json", modelsLocations: true, locations: [LedgerFixture.store]).declaring(OmnistockJSONChannel.capabilities))
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "webshop", kind: "shopify", modelsLocations: true))
        try fixture.catalog.upsertChannel(ChannelDefinition(code: "woo", kind: "woocommerce", modelsLocations: false))
        var logger = Logger(label: "omnistock.server.test")
        logger.logLevel = .warning
        let server = OmnistockHTTPServer(
            settings: settings, pool: fixture.database.pool, ledger: fixture.ledger, channels: channels, logger: logger, now: now,
            workerProblem: workerProblem)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(configuration: .init(services: [server.makeApplication { continuation.yield($0) }], logger: logger))
        let task = Task {
            try? await group.run()
            continuation.finish()
        }
        guard let port = await ports.first(where: { _ in true }) else { throw CancellationError() }
        return ServerHarness(fixture: fixture, server: server, port: port, group: group, task: task)
    }

    private init(fixture: LedgerFixture, server: OmnistockHTTPServer, port: Int, group: ServiceGroup, task: Task<Void, Never>) {
        self.fixture = fixture
        self.server = server
        self.port = port
        self.group = group
        self.task = task
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
        await group.triggerGracefulShutdown()
        await task.value
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
        return try await client.execute(CurlHTTP.HTTPRequest(method: method, url: baseURL + path, headers: fields, body: body))
    }

    /// Sends JSON text.
    func send(_ method: CurlHTTP.HTTPMethod, _ path: String, token: String? = nil, headers: [(String, String)] = [], json: String) async throws -> CurlHTTP.HTTPResponse {
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
