import ChannelVocabulary
import Dispatch
import Foundation
import Logging
import Synchronization

/// Orders of channels that send no webhooks, or send them once without retry (``ChannelCapabilities/pollsOrders``):
/// the leader reads each such channel's orders every `interval` seconds through reconcile's ``OrderCatchUp`` (the
/// same cursor, the same idempotent import), so an order placed there takes its stock within one interval instead of
/// waiting for the next reconcile. A channel whose adapter asks for a longer pause between reads
/// (``Channel/shortestOrderPollInterval``) is read less often.
package final class OrderPolling: Sendable {
    private let endpoints: [(code: String, channel: any Channel)]
    private let catchUp: OrderCatchUp
    private let metrics: SyncMetrics
    private let logger: Logger
    /// When each channel's last read began (monotonic seconds), and whether a tick is running.
    private let state = Mutex<(lastRead: [String: Double], ticking: Bool)>(([:], false))

    /// - Parameter engine: the reconcile engine whose order reads this shares (one read of a channel at a time).
    package init(endpoints: [ChannelEndpoint], engine: ReconcileEngine, metrics: SyncMetrics, logger: Logger) {
        self.endpoints = endpoints.filter { $0.channel.capabilities.pollsOrders }.map { ($0.code, $0.channel) }
        self.catchUp = engine.orders
        self.metrics = metrics
        self.logger = logger
    }

    /// Whether any configured channel polls its orders.
    package var isNeeded: Bool { !endpoints.isEmpty }

    /// The leader job that reads the orders every `interval` seconds and on gaining leadership.
    package func job(every interval: Double, queue: DispatchQueue, elector: LeaderElector) -> LeaderJob {
        LeaderJob("order poll", every: interval, onGain: true, queue: queue, elector: elector) { [self] in
            Task { await tick() }
        }
    }

    /// Reads every polling channel that is due, side by side; returns at once when the previous tick is still going.
    package func tick() async {
        let now = ProcessInfo.processInfo.systemUptime
        let due: [(code: String, channel: any Channel)]? = state.withLock { state in
            guard !state.ticking else { return nil }
            state.ticking = true
            let due = endpoints.filter { now - (state.lastRead[$0.code] ?? -.infinity) >= $0.channel.shortestOrderPollInterval }
            for endpoint in due { state.lastRead[endpoint.code] = now }
            return due
        }
        guard let due else { return }
        defer { state.withLock { $0.ticking = false } }
        await withTaskGroup(of: Void.self) { group in
            for (code, channel) in due {
                group.addTask { await self.read(code: code, channel: channel) }
            }
        }
    }

    private func read(code: String, channel: any Channel) async {
        do {
            guard let outcome = try await catchUp.poll(code: code, channel: channel) else { return }
            metrics.recordPolledOrders(channel: code, count: outcome.imported.count)
            for (event, order, resolution) in outcome.imported {
                logger.info(
                    "order read from the channel's feed",
                    metadata: ["channel": "\(code)", "order": "\(order)", "event": "\(event.kind.rawValue)", "result": "\(resolution)"])
            }
            if let error = outcome.error {
                logger.warning("order poll stopped early", metadata: ["channel": "\(code)", "error": "\(error)"])
            }
        } catch {
            logger.warning("order poll paused", metadata: ["channel": "\(code)", "error": "\(error)"])
        }
    }
}
