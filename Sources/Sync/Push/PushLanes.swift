import Ledger
import Logging
import PostgresClient
import ServiceLifecycle

/// Pushing the outbox: one ``ChannelLane`` per channel, woken by `NOTIFY omnistock_outbox` (and, after the
/// notification connection was restored, all at once). Every replica pushes; claims keep them apart.
///
/// `run()` returns after graceful shutdown, when in-flight pushes have finished or the grace period has passed.
package final class PushLanes: Service, Sendable {
    package let lanes: [String: ChannelLane]
    /// Seconds in-flight pushes may take to finish on shutdown.
    let shutdownGrace: Double

    /// - Parameters:
    ///   - replica: this process's id, recorded on its claims.
    ///   - contact: where the lanes report whether their claims reach the database.
    package init(
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
    package func subscribe(to listener: NotificationListener) {
        listener.subscribe(to: .outbox) { [weak self] _ in self?.wake() }
        listener.subscribeToReconnects { [weak self] in self?.wake() }
    }

    package func run() async throws {
        wake()
        try? await gracefulShutdown()
        await stop()
    }

    /// Wakes every lane.
    package func wake() {
        for lane in lanes.values { lane.wake() }
    }

    /// Stops claiming and lets in-flight pushes finish within the grace period.
    package func stop() async {
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
