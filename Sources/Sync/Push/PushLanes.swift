import Ledger
import Logging
import PostgresClient
import ServiceLifecycle

/// Pushing the outbox: one ``ChannelLane`` per channel, woken by `NOTIFY omnistock_outbox` (and, after the
/// notification connection was restored, all at once). Every replica pushes; claims keep them apart.
///
/// `run()` returns after graceful shutdown, when in-flight pushes have finished or the grace period has passed.
public final class PushLanes: Service, Sendable {
    public let lanes: [String: ChannelLane]
    /// Seconds in-flight pushes may take to finish on shutdown.
    let shutdownGrace: Double

    /// - Parameters:
    ///   - replica: this process's id, recorded on its claims.
    ///   - contact: where the lanes report whether their claims reach the database.
    public init(
        pool: PostgresPool, endpoints: [ChannelEndpoint], replica: Int32, shutdownGrace: Double, contact: DatabaseContact,
        metrics: SyncMetrics, logger: Logger
    ) {
        var lanes: [String: ChannelLane] = [:]
        for endpoint in endpoints {
            lanes[endpoint.code] = ChannelLane(
                code: endpoint.code, channel: endpoint.channel, settings: endpoint.lane, pool: pool, replica: replica,
                contact: contact, metrics: metrics, logger: logger)
        }
        self.lanes = lanes
        self.shutdownGrace = shutdownGrace
    }

    /// Wakes the lanes on `omnistock_outbox` and after the connection was restored.
    public func subscribe(to listener: NotificationListener) {
        listener.subscribe(to: .outbox) { [weak self] _ in self?.wake() }
        listener.subscribeToReconnects { [weak self] in self?.wake() }
    }

    public func run() async throws {
        wake()
        try? await gracefulShutdown()
        await stop()
    }

    /// Wakes every lane.
    public func wake() {
        for lane in lanes.values { lane.wake() }
    }

    /// Stops claiming and lets in-flight pushes finish within the grace period.
    public func stop() async {
        await withTaskGroup(of: Void.self) { group in
            for lane in lanes.values {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        lane.stop(grace: self.shutdownGrace) { continuation.resume() }
                    }
                }
            }
        }
    }
}
