import Dispatch
import ServiceLifecycle
import Synchronization

/// A job only the leader runs: every `interval` seconds while this replica leads, once on gaining leadership
/// when asked, and whenever ``trigger()`` is called (a notification). It subscribes to the ``LeaderElector``;
/// the elector knows nothing of it.
///
/// Jobs given the same queue run one at a time, as the daemon's leader jobs always have. Triggers that arrive before
/// the run they asked for has started share that run: a burst of notifications while the job is busy gives one
/// more run, not one per notification.
package final class LeaderJob: Service, @unchecked Sendable {
    /// For logs.
    package let name: String
    private let interval: Double
    private let runsOnGain: Bool
    private let queue: DispatchQueue
    private let work: @Sendable () -> Void
    // State below is touched only on `queue`.
    private var leading = false
    private var stopped = false
    private var timer: (any DispatchSourceTimer)?
    /// A triggered run is queued and has not started.
    private let triggered = Atomic(false)

    package init(
        _ name: String, every interval: Double, onGain runsOnGain: Bool = false, queue: DispatchQueue, elector: LeaderElector,
        work: @escaping @Sendable () -> Void
    ) {
        self.name = name
        self.interval = interval
        self.runsOnGain = runsOnGain
        self.queue = queue
        self.work = work
        elector.subscribe { [weak self] leading in
            guard let self else { return }
            self.queue.async {
                self.leading = leading
                if leading && self.runsOnGain && !self.stopped { self.work() }
            }
        }
    }

    package func run() async throws {
        start()
        try? await gracefulShutdown()
        stop()
    }

    /// Starts the job's timer.
    package func start() {
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now() + interval, repeating: interval)
        source.setEventHandler { [weak self] in self?.runIfLeading() }
        queue.sync { timer = source }
        source.resume()
    }

    /// Runs the job soon if this replica leads; the run starts after this call, and is shared with every other trigger
    /// made before it starts.
    package func trigger() {
        guard !triggered.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.async {
            self.triggered.store(false, ordering: .releasing)
            self.runIfLeading()
        }
    }

    /// Stops the timer; a run in progress finishes.
    package func stop() {
        queue.sync {
            stopped = true
            timer?.cancel()
            timer = nil
        }
    }

    private func runIfLeading() {
        guard leading, !stopped else { return }
        work()
    }
}
