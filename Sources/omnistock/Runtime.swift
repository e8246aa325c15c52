import ChannelVocabulary
import Channels
import Foundation
import Ledger
import Logging
import OmnistockConfig
import PostgresClient
import Sync

/// What a command runs with: the configuration, a migrated database (embedded or external) and the ledger.
final class Runtime: @unchecked Sendable {
    let configuration: OmnistockConfiguration
    let pool: PostgresPool
    let ledger: StockLedger
    let catalog: Catalog
    let logger: Logger
    /// The private cluster, when no database URL is configured; `shutdown()` stops it if this process started it.
    let embedded: EmbeddedCluster?

    /// Loads the configuration, reaches the database (starting the embedded one if none is configured),
    /// migrates it when `migrate` is set or the database is embedded, and applies the configured
    /// locations and channels.
    static func start(_ options: GlobalOptions, migrate: Bool = false) throws -> Runtime {
        try start(configuration: loadConfiguration(options), migrate: migrate)
    }

    /// Starts from a configuration built in code (the demo).
    static func start(configuration: OmnistockConfiguration, migrate: Bool = false) throws -> Runtime {
        LoggingSetup.bootstrap(configuration.logging)
        let logger = Logger(label: "omnistock")
        var embedded: EmbeddedCluster?
        let url: String
        if configuration.database.directURL != nil && configuration.database.url == nil {
            throw CommandFailure.usage("database.direct_url is for a database.url that goes through PgBouncer; set database.url too")
        }
        if let configured = configuration.database.url {
            url = configured
        } else {
            do {
                let cluster = try EmbeddedCluster(
                    directory: URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("postgresql"), logger: logger)
                try cluster.start()
                embedded = cluster
                url = cluster.url()
            } catch let failure as EmbeddedCluster.Failure where failure.isDirectoryProblem {
                throw CommandFailure.usage("data_dir \(configuration.dataDirectory): \(failure.description)")
            } catch let failure as EmbeddedCluster.Failure {
                throw CommandFailure.databaseUnreachable("embedded PostgreSQL: \(failure.description)")
            }
        }
        let pool = PostgresPool(
            conninfo: url, directConninfo: configuration.database.directURL,
            maxConnections: configuration.database.poolSize, acquireTimeout: 30, logger: logger)
        let runtime = Runtime(configuration: configuration, pool: pool, embedded: embedded, logger: logger)
        do {
            let migrator = Migrator(pool: pool, logger: logger)
            if migrate || embedded != nil {
                try migrator.migrate()
            } else {
                let version = try migrator.currentVersion()
                guard version == Migration.latestVersion else {
                    throw CommandFailure.usage(
                        "the database schema is at version \(version), this build needs \(Migration.latestVersion): run `omnistock migrate`")
                }
            }
            try runtime.applyConfiguration()
        } catch let error as PostgresError where error.isConnectionLost {
            runtime.shutdown()
            throw CommandFailure.databaseUnreachable("cannot reach the database: \(error.message)")
        } catch {
            runtime.shutdown()
            throw error
        }
        return runtime
    }

    static func loadConfiguration(_ options: GlobalOptions) throws -> OmnistockConfiguration {
        let environment = ProcessInfo.processInfo.environment
        do {
            var configuration = try OmnistockConfiguration.load(
                path: options.config ?? environment["OMNISTOCK_CONFIG"], environment: environment, kinds: ChannelAdapters.kinds)
            if let dataDir = options.dataDir { configuration.dataDirectory = dataDir }
            if let database = options.database { configuration.database.url = database }
            return configuration
        } catch let error as ConfigError {
            throw CommandFailure.usage(error.description)
        }
    }

    private init(configuration: OmnistockConfiguration, pool: PostgresPool, embedded: EmbeddedCluster?, logger: Logger) {
        self.configuration = configuration
        self.pool = pool
        self.embedded = embedded
        self.logger = logger
        self.ledger = StockLedger(
            pool: pool, logger: logger,
            groupCommit: GroupCommitSettings(
                window: configuration.database.groupCommitWindow, maxBatch: configuration.database.groupCommitMax))
        self.catalog = Catalog(pool: pool)
    }

    /// Writes the configured locations and channels into the catalogue.
    private func applyConfiguration() throws {
        for location in configuration.locations {
            try catalog.upsertLocation(
                LocationDefinition(
                    code: location.code, name: location.name, kind: location.kind == "store" ? .store : .warehouse,
                    shipsOnline: location.shipsOnline, clickAndCollect: location.clickAndCollect,
                    pickupBuffer: location.pickupBuffer, timezone: location.timezone))
        }
        try catalog.removeChannels(except: configuration.channels.map(\.code))
        for channel in configuration.channels {
            try catalog.upsertChannel(
                ChannelDefinition(
                    code: channel.code, kind: channel.kind, modelsLocations: channel.modelsLocations,
                    locations: channel.locations, buffer: channel.buffer, share: channel.share,
                    maxQuantity: channel.max, minVisible: channel.minVisible,
                    sourcing: SourcingPolicy(rawValue: channel.sourcing) ?? .priority,
                    lagAware: channel.lagAware.map {
                        LagAwareBuffer(window: $0.window, cap: $0.cap, lowStock: $0.lowStock, visibilityDelay: $0.visibilityDelay)
                    },
                    lastUnits: channel.lastUnits, priority: channel.priority
                ).declaring(ChannelAdapters.kind(named: channel.kind)?.capabilities ?? ChannelCapabilities()))
        }
        try catalog.replaceDistances(configuration.distances)
    }

    /// Closes connections and stops the embedded cluster, if this process started it.
    func shutdown() {
        pool.closeIdle()
        if let embedded {
            do { try embedded.stop() } catch { logger.warning("could not stop the embedded PostgreSQL: \(error)") }
        }
    }
}
