import Dispatch
import Ledger
import PostgresClient

/// Reconcile on the leader: the runs requested through `POST /v1/reconcile` (woken by `NOTIFY omnistock_reconcile`)
/// and the scheduled run of every channel that is due, checked every `checkInterval` seconds.
package struct ReconcileService: Sendable {
    package let engine: ReconcileEngine
    let scheduler: ReconcileScheduler

    package init(engine: ReconcileEngine, scheduler: ReconcileScheduler) {
        self.engine = engine
        self.scheduler = scheduler
    }

    /// The leader job that ticks the engine, woken by the listener's `omnistock_reconcile` notifications.
    package func job(every checkInterval: Double, queue: DispatchQueue, elector: LeaderElector, listener: NotificationListener) -> LeaderJob {
        let job = LeaderJob("reconcile", every: checkInterval, queue: queue, elector: elector) { [engine, scheduler] in
            Task { await engine.tick(scheduler: scheduler) }
        }
        listener.subscribe(to: .reconcile) { _ in job.trigger() }
        return job
    }
}
