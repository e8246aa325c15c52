import PostgresClient
import Synchronization

/// Runs blocking database work off the event loops (on the pool's Dispatch queue) with a deadline:
/// a request is answered `503 database_unavailable` when the database is down or slower than the
/// request timeout. Work that misses its deadline still finishes in the background; every write it
/// does is idempotent or uncommitted, so a client that retries gets the right result.
struct DatabaseRunner: Sendable {
    let pool: PostgresPool
    let timeout: Duration

    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresPool) throws -> T) async throws -> T {
        let pool = pool
        return try await withDeadline { try await pool.run(body) }
    }

    /// Awaits database work that holds no thread while it waits (`InboxWriter`) under the same deadline.
    func withDeadline<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = timeout
        return try await withCheckedThrowingContinuation { continuation in
            let once = ResumeOnce(continuation)
            let timer = Task {
                try await Task.sleep(for: timeout)
                once.resume(with: .failure(APIError.databaseUnavailable))
            }
            Task {
                do {
                    once.resume(with: .success(try await work()))
                } catch let error as PostgresError where error.isDatabaseUnavailable {
                    once.resume(with: .failure(APIError.databaseUnavailable))
                } catch {
                    once.resume(with: .failure(error))
                }
                timer.cancel()
            }
        }
    }
}

/// Resumes a continuation exactly once, whichever of several racers comes first.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
