import Channels
import Dispatch
import Foundation
import Ledger
import Logging
import PostgresClient
import ServiceLifecycle

/// The daemon's worker: one lane per channel pushing the outbox, woken by `LISTEN` (and a slow timer
/// as a safety net); and, on the leader replica only, the inbox processor and reservation expiry.
///
/// A service for swift-service-lifecycle: `run()` returns after graceful shutdown, when in-flight
/// pushes have finished or the grace period has passed.
public final class SyncWorker: Service, @unchecked Sendable {
    public let lanes: [String: ChannelLane]
    let pool: PostgresPool
    let conninfo: String
    let ledger: StockLedger
    let settings: SyncSettings
    let inbox: InboxProcessor
    let metrics: SyncMetrics
    let endpoints: [ChannelEndpoint]
    /// This process's id among the replicas sharing the database.
    public let replica = Int32.random(in: 1...Int32.max)
    /// Whether the worker's claims and leadership checks last reached the database (for `/readyz`).
    public let databaseContact = DatabaseContact()
    let logger: Logger
    private let jobs = DispatchQueue(label: "omnistock.jobs")
    private var listener: NotificationListener?
    private var leader: LeaderLock?
    private var jobTimers: [any DispatchSourceTimer] = []
    private var isLeader = false
    /// Called on the leader after each periodic tick (the reconcile scheduler hooks in here).
    public var leaderTick: (@Sendable () -> Void)?

    public init(
        pool: PostgresPool, ledger: StockLedger, endpoints: [ChannelEndpoint], settings: SyncSettings = SyncSettings(),
        metrics: SyncMetrics = SyncMetrics(), logger: Logger = Logger(label: "omnistock.sync")
    ) {
        self.pool = pool
        self.conninfo = pool.conninfo
        self.ledger = ledger
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
        let replica = self.replica
        var lanes: [String: ChannelLane] = [:]
        for endpoint in endpoints {
            lanes[endpoint.code] = ChannelLane(
                code: endpoint.code, channel: endpoint.channel, settings: endpoint.lane, pool: pool, replica: replica,
                contact: databaseContact, metrics: metrics, logger: logger)
        }
        self.lanes = lanes
        self.endpoints = endpoints
        let applier = EventApplier(ledger: ledger, pickupHold: settings.pickupHold, orderHold: settings.orderHold)
        self.inbox = InboxProcessor(
            pool: pool, channels: endpoints.reduce(into: [:]) { $0[$1.code] = $1.channel }, applier: applier,
            maxAttempts: settings.inboxMaxAttempts, metrics: metrics, logger: logger)
    }

    public func run() async throws {
        start()
        try? await gracefulShutdown()
        await stop()
    }

    /// Starts listening, pushing and competing for leadership. Database outages are ridden out.
    public func start() {
        let listener = NotificationListener(
            conninfo: conninfo, channels: WakeChannel.allCases.map(\.rawValue), logger: logger,
            onReconnect: { [weak self] in self?.wakeAll() }
        ) { [weak self] notification in
            guard let self else { return }
            switch WakeChannel(rawValue: notification.channel) {
            case .inbox: self.jobs.async { self.drainInbox() }
            case .reconcile: self.jobs.async { if self.isLeader { self.leaderTick?() } }
            case .outbox, nil: self.wakeLanes()
            }
        }
        startListening(listener)
        self.listener = listener
        let leader = LeaderLock(
            conninfo: conninfo, replica: replica, checkInterval: settings.leaderCheckInterval, contact: databaseContact, logger: logger
        ) { [weak self] leading in
            guard let self else { return }
            self.jobs.async {
                self.isLeader = leading
                if leading {
                    self.drainInbox()
                    self.discoverListings()
                }
            }
        }
        leader.start()
        self.leader = leader
        addJobTimer(every: settings.expiryInterval) { $0.expireReservations() }
        addJobTimer(every: settings.inboxScanInterval) { $0.drainInbox() }
        addJobTimer(every: settings.discoveryInterval) { $0.discoverListings() }
        addJobTimer(every: settings.lagSampleInterval) { worker in
            do { try SyncStatusReport.sampleLag(into: worker.pool) } catch { worker.logger.debug("lag sample skipped: \(error)") }
        }
        wakeAll()
    }

    /// Stops claiming work, lets in-flight pushes finish within the grace period, releases leadership.
    public func stop() async {
        listener?.stop()
        jobs.sync {
            jobTimers.forEach { $0.cancel() }
            jobTimers.removeAll()
        }
        leader?.stop()
        await withTaskGroup(of: Void.self) { group in
            for lane in lanes.values {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        lane.stop(grace: self.settings.shutdownGrace) { continuation.resume() }
                    }
                }
            }
        }
    }

    /// Wakes every lane (after a reconnect, when notifications may have been missed).
    public func wakeAll() {
        wakeLanes()
        jobs.async { self.drainInbox() }
    }

    private func wakeLanes() {
        for lane in lanes.values { lane.wake() }
    }

    /// Listens for notifications, retrying in the background while the database is unreachable.
    private func startListening(_ listener: NotificationListener) {
        do {
            try listener.start()
        } catch {
            logger.warning("cannot listen for notifications yet; retrying", metadata: ["error": "\(error)"])
            jobs.asyncAfter(deadline: .now() + 2) { [weak self] in
                guard let self, self.listener === listener else { return }
                self.startListening(listener)
                self.wakeAll()
            }
        }
    }

    private func addJobTimer(every interval: Double, _ job: @escaping @Sendable (SyncWorker) -> Void) {
        let timer = DispatchSource.makeTimerSource(queue: jobs)
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in
            guard let self, self.isLeader else { return }
            job(self)
            self.leaderTick?()
        }
        timer.resume()
        jobTimers.append(timer)
    }

    private func drainInbox() {
        guard isLeader else { return }
        do {
            // Bounded, so events that keep failing quickly cannot hold the queue.
            for _ in 0..<50 where try inbox.processDue() == 0 { break }
        } catch {
            logger.warning("inbox processing paused", metadata: ["error": "\(error)"])
        }
    }

    /// Looks up channel ids for SKUs that have none yet (in the background; pushes wait for them).
    public func discoverListings() {
        let discovery = ListingDiscovery(pool: pool, logger: logger)
        for endpoint in endpoints {
            Task { _ = try? await discovery.discover(code: endpoint.code, channel: endpoint.channel, match: endpoint.match) }
        }
    }

    private func expireReservations() {
        do {
            while case let expired = try ledger.expireDueReservations(), !expired.isEmpty {
                metrics.recordExpired(expired.count)
            }
        } catch {
            logger.warning("reservation expiry paused", metadata: ["error": "\(error)"])
        }
    }
}
