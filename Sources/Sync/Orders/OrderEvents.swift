import ChannelVocabulary
import Dispatch
import Ledger
import Logging
import PostgresClient

/// Applying order events: the leader drains the inbox (``InboxProcessor``, which applies each event with the
/// ``EventApplier``) when `NOTIFY omnistock_inbox` says one arrived, every `inboxScanInterval` seconds, on gaining
/// leadership, and after the notification connection was restored.
package final class OrderEvents: Sendable {
    let inbox: InboxProcessor
    let logger: Logger

    package init(inbox: InboxProcessor, logger: Logger) {
        self.inbox = inbox
        self.logger = logger
    }

    /// The leader job that drains the inbox, woken by the listener's `omnistock_inbox` notifications and reconnects.
    package func job(every interval: Double, queue: DispatchQueue, elector: LeaderElector, listener: NotificationListener) -> LeaderJob {
        let job = LeaderJob("order events", every: interval, onGain: true, queue: queue, elector: elector) { [self] in drain() }
        listener.subscribe(to: .inbox) { _ in job.trigger() }
        listener.subscribeToReconnects { job.trigger() }
        return job
    }

    /// Processes due events until none is left (bounded, so events that keep failing quickly cannot hold the queue).
    package func drain() {
        do {
            for _ in 0..<50 where try inbox.processDue() == 0 { break }
        } catch {
            logger.warning("inbox processing paused", metadata: ["error": "\(error)"])
        }
    }
}
