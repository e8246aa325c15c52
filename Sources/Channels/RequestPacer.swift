import Foundation

/// Keeps requests at least `spacing` apart, for APIs that document a number of requests a second rather than
/// answering with a budget: each caller waits for its turn, so concurrent lanes together stay within the limit.
package actor RequestPacer {
    private let spacing: Duration
    private let clock = ContinuousClock()
    private var next: ContinuousClock.Instant?

    /// A pacer letting one request start every `spacing`.
    package init(spacing: Duration) {
        self.spacing = spacing
    }

    /// Returns when the caller may send its request.
    package func wait() async {
        let now = clock.now
        let turn = max(next ?? now, now)
        next = turn + spacing
        if turn > now { try? await clock.sleep(until: turn) }
    }
}
