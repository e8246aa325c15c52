import Dispatch
import PostgresClient
import Support
import Synchronization

/// The wake-ups of one channel from one writer, sent at most once per `interval`: the first at once, and all those
/// asked for within the interval after it as one more, sent at the interval's end.
///
/// Every wake-up asked for is still followed by a `NOTIFY` sent after it was asked for (so after the commit it
/// announces): the one sent at once, or the one owed at the interval's end. The listeners read everything due when
/// woken, so one wake-up covers all the commits before it.
///
/// Under load most wake-ups are asked for within an interval of the one before. Each batch of webhooks or of ledger
/// writes used to send its own: a second statement, round trip and transaction after the batch's commit (`pgbench`:
/// 200 µs of backend CPU for a batch of four webhooks, 253–286 µs with its wake-up), and a notification to every
/// listener of every replica. The cost is latency: a wake-up asked for within the interval waits for its end.
package final class WakeCoalescer: Sendable {
    private struct State: Sendable {
        /// When the last wake-up went out (monotonic seconds).
        var lastSent = -Double.infinity
        /// A wake-up is owed at the end of the current interval, and is scheduled.
        var owed = false
    }

    private enum Step {
        case sendNow
        case sendAfter(Double)
        case nothing
    }

    /// The shortest time between two wake-ups: 5 ms, at most 200 a second per writer and channel. It adds at most
    /// that to the propagation of a change made within 5 ms of another.
    package static let defaultInterval: Duration = .milliseconds(5)

    private let channel: WakeChannel
    private let pool: PostgresPool
    private let interval: Double
    private let state = Mutex(State())
    private let queue: DispatchQueue

    /// Wakes `channel`'s listeners through `pool`'s connections, at most once per `interval`.
    package init(_ channel: WakeChannel, pool: PostgresPool, interval: Duration = WakeCoalescer.defaultInterval) {
        self.channel = channel
        self.pool = pool
        self.interval = interval / .seconds(1)
        self.queue = DispatchQueue(label: "omnistock.wake.\(channel.rawValue)", qos: .utility)
    }

    /// Asks for a wake-up after a commit on `connection` (outside any transaction): sent on it now when none went
    /// out within the interval, else owed to the interval's end. Throws when sending now failed.
    package func wake(on connection: PostgresConnection) throws {
        if nextStep() { try WakeAfterCommit.send(channel, on: connection) }
    }

    /// Asks for a wake-up after a commit; sent now on a connection of the pool when none went out within the
    /// interval, else owed to the interval's end. Throws when sending now failed.
    package func wake() throws {
        if nextStep() { try WakeAfterCommit.send(channel, pool: pool) }
    }

    /// Whether to send now; schedules the owed wake-up when there is one to schedule.
    private func nextStep() -> Bool {
        let now = MonotonicClock.now()
        let step = state.withLock { state -> Step in
            if state.owed { return .nothing }
            if now - state.lastSent >= interval {
                state.lastSent = now
                return .sendNow
            }
            state.owed = true
            return .sendAfter(state.lastSent + interval - now)
        }
        switch step {
        case .sendNow: return true
        case .nothing: return false
        case .sendAfter(let delay):
            queue.asyncAfter(deadline: .now() + delay) { self.sendOwed() }
            return false
        }
    }

    /// Sends the owed wake-up. A failure costs only latency: every listener also scans on a timer.
    private func sendOwed() {
        state.withLock { state in
            state.owed = false
            state.lastSent = MonotonicClock.now()
        }
        try? WakeAfterCommit.send(channel, pool: pool)
    }
}
