import Dispatch
import Ledger
import Logging
import PostgresClient
import Server
import ServiceLifecycle
import Sync
import UnixSignals

/// The daemon, composed in one place: which services run, what each is woken by, and in what order they stop.
///
/// - **push lanes** (every replica): one lane per channel pushes the outbox, woken by `omnistock_outbox`.
/// - **leadership**: the elector holds the leader lock and announces gains and losses; it runs nothing itself.
/// - **leader jobs** (subscribed to the elector): order events (`omnistock_inbox`), reconcile (`omnistock_reconcile`,
///   when configured), the order poll of channels without reliable webhooks (when configured), claim rescue,
///   reservation expiry, listing discovery, lag samples, lag-aware hold refresh, retention (when configured). All but claim rescue and
///   retention share one serial queue, so they run one at a time.
/// - **HTTP server** (when configured): webhooks, admin API, metrics, health.
///
/// All share one `LISTEN` connection. In a service group they stop in reverse order: the server first, then the
/// leader jobs, then leadership is handed back, then the lanes drain their pushes, and listening ends last.
package final class Daemon: Sendable {
    /// This process's id among the replicas sharing the database.
    package let replica = Int32.random(in: 1...Int32.max)
    /// Whether the lanes' claims and the leadership checks last reached the database (for `/readyz`).
    package let databaseContact = DatabaseContact()
    package let listening: ListeningService
    package let elector: LeaderElector
    package let lanes: PushLanes
    package let orders: OrderEvents
    /// Reconcile: run directly (the demo), or on the leader when the daemon reconciles.
    package let reconcile: ReconcileService
    package let leaderJobs: [LeaderJob]
    /// The HTTP server, when configured.
    package let server: OmnistockHTTPServer?

    /// What the daemon reconciles, when it does.
    package struct Reconcile: Sendable {
        /// Seconds between scheduled runs of one channel.
        package var interval: Double
        /// `distances[store][location]`, for transfer proposals.
        package var distances: [String: [String: Int]]

        package init(interval: Double, distances: [String: [String: Int]] = [:]) {
            self.interval = interval
            self.distances = distances
        }
    }

    /// - Parameters:
    ///   - reconcile: runs requested and scheduled reconciles on the leader; nil: none.
    ///   - server: serves HTTP with these settings; nil: no server.
    package init(
        pool: PostgresPool, ledger: StockLedger, endpoints: [ChannelEndpoint], settings: SyncSettings = SyncSettings(),
        reconcile reconciling: Reconcile? = nil, server: ServerSettings? = nil, metrics: SyncMetrics = SyncMetrics(),
        logger: Logger = Logger(label: "omnistock.sync")
    ) {
        listening = ListeningService(conninfo: pool.sessionConninfo, logger: logger)
        let listener = listening.listener
        elector = LeaderElector(
            conninfo: pool.sessionConninfo, replica: replica, checkInterval: settings.leaderCheckInterval, contact: databaseContact, logger: logger)
        lanes = PushLanes(
            pool: pool, endpoints: endpoints, replica: replica, shutdownGrace: settings.shutdownGrace, contact: databaseContact,
            metrics: metrics, logger: logger)
        lanes.subscribe(to: listener)

        let channels = endpoints.reduce(into: [:]) { $0[$1.code] = $1.channel }
        let applier = EventApplier(ledger: ledger, pickupHold: settings.pickupHold, orderHold: settings.orderHold)
        orders = OrderEvents(
            inbox: InboxProcessor(
                pool: pool, channels: channels, applier: applier, maxAttempts: settings.inboxMaxAttempts, metrics: metrics, logger: logger),
            logger: logger)
        let jobs = DispatchQueue(label: "omnistock.jobs")
        var leaderJobs = [
            orders.job(every: settings.inboxScanInterval, queue: jobs, elector: elector, listener: listener),
            // On its own queue, as when the elector ran it: a long inbox drain must not hold back a dead replica's claims.
            LeaderJob(
                "claim rescue", every: settings.leaderCheckInterval, onGain: true, queue: DispatchQueue(label: "omnistock.rescue"), elector: elector
            ) { [rescue = ClaimRescue(pool: pool, logger: logger)] in
                rescue.run()
            },
            LeaderJob("reservation expiry", every: settings.expiryInterval, queue: jobs, elector: elector) {
                [expiry = ReservationExpiry(ledger: ledger, metrics: metrics, logger: logger)] in
                expiry.run()
            },
            LeaderJob("listing discovery", every: settings.discoveryInterval, onGain: true, queue: jobs, elector: elector) {
                [discovery = ListingDiscovery(pool: pool, logger: logger)] in
                for endpoint in endpoints {
                    Task { _ = try? await discovery.discover(code: endpoint.code, channel: endpoint.channel, match: endpoint.match) }
                }
            },
            LeaderJob("lag samples", every: settings.lagSampleInterval, queue: jobs, elector: elector) {
                do { try SyncStatusReport.sampleLag(into: pool) } catch { logger.debug("lag sample skipped: \(error)") }
            },
            LeaderJob("hold refresh", every: settings.holdRefreshInterval, queue: jobs, elector: elector) {
                do { _ = try OutboxStore.refreshHeldBack(pool: pool) } catch { logger.debug("hold refresh skipped: \(error)") }
            },
        ]
        reconcile = ReconcileService(
            engine: ReconcileEngine(
                pool: pool, ledger: ledger, endpoints: endpoints, distances: reconciling?.distances ?? [:], applier: applier,
                logger: Logger(label: "omnistock.reconcile")),
            scheduler: ReconcileScheduler(pool: pool, interval: reconciling?.interval ?? .infinity))
        if reconciling != nil {
            leaderJobs.append(reconcile.job(every: settings.reconcileCheckInterval, queue: jobs, elector: elector, listener: listener))
        }
        if let (policy, interval) = settings.retention {
            // On its own queue: a first archive of a long history must not hold back the inbox.
            leaderJobs.append(
                LeaderJob("retention", every: interval, queue: DispatchQueue(label: "omnistock.retention"), elector: elector) {
                    do {
                        let report = try Retention(pool: pool, policy: policy).run()
                        logger.info("retention", metadata: ["report": "\(report)"])
                    } catch {
                        logger.warning("retention paused", metadata: ["error": "\(error)"])
                    }
                })
        }
        let polling = OrderPolling(endpoints: endpoints, engine: reconcile.engine, metrics: metrics, logger: logger)
        if let interval = settings.orderPollInterval, polling.isNeeded {
            leaderJobs.append(polling.job(every: interval, queue: jobs, elector: elector))
        }
        self.leaderJobs = leaderJobs
        let contact = databaseContact
        self.server = server.map { http in
            OmnistockHTTPServer(
                settings: http, pool: pool, ledger: ledger, channels: channels, logger: Logger(label: "omnistock.server"),
                workerProblem: { contact.problem })
        }
    }

    /// The sync services in start order (a service group stops them in reverse): listening, lanes, leadership, leader jobs.
    var syncServices: [any Service] {
        let first: [any Service] = [listening, lanes, elector]
        return first + leaderJobs
    }

    /// The service group of every service, `more` (the embedded cluster's keeper, say) last; it ends on SIGTERM,
    /// SIGINT or `triggerGracefulShutdown()`. `onListening` gets the HTTP port once bound.
    package func makeServiceGroup(
        more: [any Service] = [], logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ServiceGroup {
        var services = syncServices
        if let server {
            services.append(
                server.makeApplication { port in
                    logger.info("listening", metadata: ["port": "\(port)"])
                    await onListening(port)
                })
        }
        return ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: (services + more).map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    }

    /// Starts the sync services without a service group (tests and benchmarks; no HTTP server).
    package func start() {
        listening.start()
        lanes.wake()
        elector.start()
        for job in leaderJobs { job.start() }
    }

    /// Stops what ``start()`` started, in the order a service group would.
    package func stop() async {
        for job in leaderJobs { job.stop() }
        elector.stop()
        await lanes.stop()
        listening.stop()
    }
}
