import Synchronization

/// A continuation resumed exactly once, by whichever of several racers comes first (an answer or a deadline).
package final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    package init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = Mutex(continuation)
    }

    /// Whether a racer has resumed it.
    package var isResumed: Bool { continuation.withLock { $0 == nil } }

    /// Resumes with `result` unless another racer has resumed already.
    package func resume(with result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
