import Ledger
import Logging
import Metrics
import OmnistockConfig
import OmnistockDaemon
import PostgresClient
import Prometheus
import Server
import ServiceLifecycle
import Sync

extension Daemon {
    /// The daemon `serve` and `demo` run, from a started runtime's configuration: every channel, reconcile on the
    /// leader, and the HTTP server (on `listen`, host:port, when given).
    convenience init(runtime: Runtime, listen: String? = nil) throws {
        let configuration = runtime.configuration
        let endpoints = try ChannelFactory.endpoints(configuration, credentials: ChannelCredentialStore(pool: runtime.pool))
        let sync = configuration.sync
        self.init(
            pool: runtime.pool, ledger: runtime.ledger, endpoints: endpoints,
            settings: SyncSettings(
                expiryInterval: sync.expiryInterval, shutdownGrace: sync.shutdownGrace,
                pickupHold: sync.pickupHoldSeconds, orderHold: sync.orderHoldSeconds, inboxMaxAttempts: sync.inboxMaxAttempts,
                orderPollInterval: sync.orderPollInterval, holdRefreshInterval: sync.holdRefreshInterval,
                retention: (Self.retentionPolicy(configuration.retention), configuration.retention.interval)),
            reconcile: Reconcile(interval: sync.reconcileInterval, distances: configuration.distances),
            server: try Self.serverSettings(configuration, listen: listen),
            logger: Logger(label: "omnistock.sync"))
        if let server { MetricsBootstrap.once(registry: server.metrics.registry) }
    }

    /// The service group `serve` runs: the daemon's services and, with an embedded cluster, its keeper.
    func makeServiceGroup(runtime: Runtime, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> ServiceGroup {
        let keeper = runtime.embedded.map { cluster in
            EmbeddedClusterKeeper(cluster: cluster, interval: runtime.configuration.database.embeddedCheckInterval, logger: runtime.logger)
        }
        return makeServiceGroup(more: keeper.map { [$0] } ?? [], logger: runtime.logger, onListening: onListening)
    }

    private static func retentionPolicy(_ retention: OmnistockConfiguration.Retention) -> RetentionPolicy {
        RetentionPolicy(
            inbox: retention.inbox, outboxHistory: retention.outboxHistory, reconcileRuns: retention.reconcileRuns,
            conflicts: retention.conflicts, movements: retention.movements, checkpointInterval: retention.checkpointInterval)
    }

    private static func serverSettings(_ configuration: OmnistockConfiguration, listen: String?) throws -> ServerSettings {
        let server = configuration.server
        var settings = ServerSettings(
            host: server.host, port: server.port,
            tokens: server.tokens.map { APIToken(token: $0.token.value, scope: $0.scope == .write ? .write : .read) },
            maxBodyBytes: server.maxBodyBytes,
            tokenRateLimit: RateLimit(perSecond: server.rateLimit.perSecond, burst: Int(server.rateLimit.perSecond * 2)),
            channelRateLimit: RateLimit(perSecond: server.rateLimit.perSecond, burst: Int(server.rateLimit.perSecond * 2)),
            requestTimeout: .milliseconds(Int(server.requestTimeout * 1000)),
            maxConnections: DescriptorBudget.apply(to: configuration).inboundConnections,
            groupCommit: GroupCommitSettings(window: configuration.database.groupCommitWindow, maxBatch: configuration.database.groupCommitMax))
        if let listen, let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) {
            settings.host = String(listen[..<colon])
            settings.port = port
        }
        return settings
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
