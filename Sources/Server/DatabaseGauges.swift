import Ledger
import PostgresClient
import Prometheus

/// Gauges computed from the database when `/metrics` is scraped (DESIGN.md §11): outbox lag and
/// pending targets per channel, inbox backlog, open conflicts by kind, active reservations, and
/// whether the database answered at all.
struct DatabaseGauges: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let databaseUp: Gauge
    private let inboxPending: Gauge
    private let inboxFailed: Gauge
    private let inboxSetAside: Gauge
    private let reservationsActive: Gauge

    /// Conflict kinds as the schema allows them; every one gets a value, 0 when none is open.
    static let conflictKinds = ConflictKind.allCases.map(\.rawValue)

    private static var conflictsOpen: MetricNameDescriptor { gauge("conflicts_open", "Unresolved conflicts by kind") }
    private static var outboxPending: MetricNameDescriptor { gauge("outbox_pending", "Channel targets waiting to be pushed") }
    private static var outboxLag: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "omnistock", metricName: "outbox_lag", unitName: "seconds", helpText: "Age of the oldest target not yet pushed to the channel")
    }

    private static func gauge(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "omnistock", metricName: name, unitName: "", helpText: help)
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        databaseUp = registry.makeGauge(descriptor: Self.gauge("database_up", "1 when the last scrape reached the database"))
        let backlog = Self.gauge("inbox_backlog", "Inbox events not yet processed, by status")
        inboxPending = registry.makeGauge(descriptor: backlog, labels: [("status", "pending")])
        inboxFailed = registry.makeGauge(descriptor: backlog, labels: [("status", "failed")])
        inboxSetAside = registry.makeGauge(descriptor: backlog, labels: [("status", "dead")])
        reservationsActive = registry.makeGauge(descriptor: Self.gauge("reservations_active", "Reservations currently holding stock"))
    }

    private struct Snapshot: Sendable {
        var inboxPending = 0
        var inboxFailed = 0
        var inboxSetAside = 0
        var reservationsActive = 0
        var conflicts: [String: Int] = [:]
        /// Per channel: targets waiting to be pushed and the age of the oldest, in seconds.
        var outbox: [String: (pending: Int, lagSeconds: Double)] = [:]
    }

    /// Reads the figures and sets the gauges; `channels` are reported even with nothing pending.
    func refresh(using database: DatabaseRunner, channels: [String]) async {
        do {
            let snapshot = try await database.run(Self.read)
            databaseUp.set(to: 1)
            inboxPending.set(to: Double(snapshot.inboxPending))
            inboxFailed.set(to: Double(snapshot.inboxFailed))
            inboxSetAside.set(to: Double(snapshot.inboxSetAside))
            reservationsActive.set(to: Double(snapshot.reservationsActive))
            for kind in Self.conflictKinds {
                registry.makeGauge(descriptor: Self.conflictsOpen, labels: [("kind", kind)]).set(to: Double(snapshot.conflicts[kind] ?? 0))
            }
            for channel in Set(channels).union(snapshot.outbox.keys) {
                let outbox = snapshot.outbox[channel] ?? (0, 0)
                registry.makeGauge(descriptor: Self.outboxPending, labels: [("channel", channel)]).set(to: Double(outbox.pending))
                registry.makeGauge(descriptor: Self.outboxLag, labels: [("channel", channel)]).set(to: outbox.lagSeconds)
            }
        } catch {
            databaseUp.set(to: 0)
        }
    }

    private static func read(_ pool: PostgresPool) throws -> Snapshot {
        try pool.withConnection { connection in
            var snapshot = Snapshot()
            let counts = try BacklogCounts.read(on: connection)
            snapshot.inboxPending = counts.inboxPending
            snapshot.inboxFailed = counts.inboxFailed
            snapshot.reservationsActive = counts.activeReservations
            snapshot.inboxSetAside = counts.inboxSetAside
            snapshot.conflicts = try ConflictStore.openByKind(on: connection)
            for channel in try ChannelStatusQuery.read(on: connection) where channel.pending > 0 {
                snapshot.outbox[channel.code] = (channel.pending, max(0, channel.oldestPendingSeconds ?? 0))
            }
            return snapshot
        }
    }
}
