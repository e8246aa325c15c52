import ArgumentParser
import Logging
import Metrics
import OmnistockConfig
import Prometheus
import Server
import ServiceLifecycle
import UnixSignals
import Sync

/// `omnistock serve`: the daemon — sync worker and HTTP server (webhooks, admin API, metrics) in one
/// service group that shuts down gracefully on SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the daemon: push stock to every channel, take webhooks, serve the admin API.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "Listen address host:port (overrides server.listen).")
    var listen: String?

    func run() async throws {
        try await reportingFailures {
            let runtime = try Runtime.start(options, migrate: true)
            defer { runtime.shutdown() }
            let daemon = try Daemon(runtime: runtime, listen: listen)
            try await daemon.run()
        }
    }
}

/// The daemon's services, built from a started runtime.
struct Daemon {
    let runtime: Runtime
    let worker: SyncWorker
    let server: OmnistockHTTPServer
    /// Reconcile: scheduled on the leader, on request through the API, or run directly (the demo).
    let reconcile: ReconcileEngine

    init(runtime: Runtime, listen: String? = nil) throws {
        self.runtime = runtime
        let configuration = runtime.configuration
        let endpoints = try ChannelFactory.endpoints(configuration, credentials: ChannelCredentialStore(pool: runtime.pool))
        let sync = configuration.sync
        worker = SyncWorker(
            pool: runtime.pool, ledger: runtime.ledger, endpoints: endpoints,
            settings: SyncSettings(
                expiryInterval: sync.expiryInterval, shutdownGrace: sync.shutdownGrace,
                pickupHold: sync.pickupHoldSeconds, orderHold: sync.orderHoldSeconds, inboxMaxAttempts: sync.inboxMaxAttempts),
            logger: Logger(label: "omnistock.sync"))
        let engine = ReconcileEngine(
            pool: runtime.pool, ledger: runtime.ledger, endpoints: endpoints, distances: configuration.distances,
            applier: EventApplier(ledger: runtime.ledger, pickupHold: sync.pickupHoldSeconds, orderHold: sync.orderHoldSeconds),
            logger: Logger(label: "omnistock.reconcile"))
        let scheduler = ReconcileScheduler(pool: runtime.pool, interval: sync.reconcileInterval)
        worker.leaderTick = { Task { await engine.tick(scheduler: scheduler) } }
        reconcile = engine
        var settings = ServerSettings(
            host: configuration.server.host, port: configuration.server.port,
            tokens: configuration.server.tokens.map { APIToken(token: $0.token.value, scope: $0.scope == .write ? .write : .read) },
            maxBodyBytes: configuration.server.maxBodyBytes,
            tokenRateLimit: RateLimit(perSecond: configuration.server.rateLimit.perSecond, burst: Int(configuration.server.rateLimit.perSecond * 2)),
            channelRateLimit: RateLimit(perSecond: configuration.server.rateLimit.perSecond, burst: Int(configuration.server.rateLimit.perSecond * 2)),
            requestTimeout: .milliseconds(Int(configuration.server.requestTimeout * 1000)),
            maxConnections: DescriptorBudget.apply(to: configuration).inboundConnections)
        if let listen, let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) {
            settings.host = String(listen[..<colon])
            settings.port = port
        }
        let contact = worker.databaseContact
        server = OmnistockHTTPServer(
            settings: settings, pool: runtime.pool, ledger: runtime.ledger,
            channels: endpoints.reduce(into: [:]) { $0[$1.code] = $1.channel }, logger: Logger(label: "omnistock.server"),
            workerProblem: { contact.problem })
        MetricsBootstrap.once(registry: server.metrics.registry)
    }

    /// The service group of worker and server; it ends on SIGTERM, SIGINT or `triggerGracefulShutdown()`.
    /// `onListening` gets the HTTP port once bound.
    func makeServiceGroup(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> ServiceGroup {
        let logger = runtime.logger
        let application = server.makeApplication { port in
            logger.info("listening", metadata: ["port": "\(port)"])
            await onListening(port)
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: worker), .init(service: application)]
        if let cluster = runtime.embedded {
            let keeper = EmbeddedClusterKeeper(
                cluster: cluster, interval: runtime.configuration.database.embeddedCheckInterval, logger: logger)
            services.append(.init(service: keeper))
        }
        return ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
    }

    /// Runs until SIGTERM or SIGINT.
    func run() async throws {
        try await makeServiceGroup().run()
    }
}

/// Routes swift-metrics to the server's Prometheus registry, once per process.
enum MetricsBootstrap {
    nonisolated(unsafe) private static var done = false

    static func once(registry: PrometheusCollectorRegistry) {
        guard !done else { return }
        done = true
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }
}
