import ChannelVocabulary
import Foundation
import Hummingbird
import HummingbirdCore
import Ledger
import Logging
import NIOCore
import PostgresClient

/// The HTTP server: webhook ingress, the admin API, health, readiness, metrics and the OpenAPI document.
///
/// `omnistock serve` puts ``makeApplication(onListening:)`` into its `ServiceGroup`; graceful shutdown
/// of the group stops the server after requests in progress have been answered.
package struct OmnistockHTTPServer: Sendable {
    /// Listening address, tokens and limits.
    package let settings: ServerSettings
    /// The metrics `/metrics` renders (bootstrap `MetricsSystem` with its registry to add others).
    package let metrics: ServerMetrics
    let pool: PostgresPool
    let ledger: StockLedger
    /// Verified webhooks into the inbox, gathered as `settings.groupCommit` says.
    let inbox: InboxWriter
    let channels: [String: any ChannelVocabulary.Channel]
    let logger: Logger
    let now: @Sendable () -> Date
    let workerProblem: @Sendable () -> String?

    /// Creates the server.
    /// - Parameters:
    ///   - settings: listening address, tokens and limits.
    ///   - pool: the database; blocking calls run on its Dispatch queue, never on the event loops.
    ///   - ledger: stock operations (normally on the same pool).
    ///   - channels: the configured channels by code; webhooks are accepted only for these.
    ///   - metrics: where HTTP and database metrics are recorded.
    ///   - logger: request failures and rejected webhooks are logged here (never with secrets).
    ///   - now: the clock webhook timestamps are checked against.
    ///   - workerProblem: why the daemon's worker cannot do its work (nil when it can); `/readyz` fails while it says so.
    package init(
        settings: ServerSettings, pool: PostgresPool, ledger: StockLedger, channels: [String: any ChannelVocabulary.Channel],
        metrics: ServerMetrics = ServerMetrics(), logger: Logger = Logger(label: "omnistock.server"),
        now: @escaping @Sendable () -> Date = Date.init, workerProblem: @escaping @Sendable () -> String? = { nil }
    ) {
        self.workerProblem = workerProblem
        self.settings = settings
        self.pool = pool
        self.ledger = ledger
        self.inbox = InboxWriter(pool: pool, settings: settings.groupCommit, timeout: settings.requestTimeout)
        self.channels = channels
        self.metrics = metrics
        self.logger = logger
        self.now = now
    }

    /// The Hummingbird application, ready to run as a service. `onListening` gets the bound port
    /// (useful with port 0).
    package func makeApplication(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: settings.maxHeaderBytes, maxHeaderListSize: settings.maxHeaderBytes,
            maxHeaderFieldCount: settings.maxHeaderCount)
        let idle = TimeAmount.nanoseconds(Int64(settings.idleTimeout.components.seconds) * 1_000_000_000)
        let port = settings.port
        return Application(
            router: makeRouter(),
            server: .http1(configuration: .init(idleTimeout: idle, httpDecoderConfiguration: decoder)),
            configuration: .init(
                address: .hostname(settings.host, port: port), serverName: "omnistock",
                availableConnectionsDelegate: settings.maxConnections.map { MaximumAvailableConnections($0, logger: logger) }),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Every route with its middleware (exposed for tests and for route listings).
    package func makeRouter() -> Router<BasicRequestContext> {
        let database = DatabaseRunner(pool: pool, timeout: settings.requestTimeout)
        let router = Router()
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: LimitsMiddleware(maxURLBytes: settings.maxURLBytes))
        router.add(middleware: PercentDecodingMiddleware())
        OperationsRoutes(
            database: database, metrics: metrics, channelCodes: channels.keys.sorted(), openAPI: OpenAPIDocument.bytes,
            workerProblem: workerProblem
        ).register(on: router)
        WebhookRoutes(
            channels: channels, inbox: inbox, maxBodyBytes: settings.maxBodyBytes,
            rateLimiter: settings.channelRateLimit.map { RateLimiter(limit: $0) }, now: now
        ).register(on: router)
        let tokenLimiter = settings.tokenRateLimit.map { RateLimiter(limit: $0) }
        AdminAPI(ledger: ledger, database: database, maxBodyBytes: settings.maxBodyBytes).register(
            read: router.group("/v1").add(middleware: BearerAuthMiddleware(tokens: settings.tokens, required: .read, rateLimiter: tokenLimiter)),
            write: router.group("/v1").add(middleware: BearerAuthMiddleware(tokens: settings.tokens, required: .write, rateLimiter: tokenLimiter)))
        return router
    }
}
