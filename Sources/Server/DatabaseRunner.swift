import PostgresClient

/// Runs blocking database work off the event loops (on the pool's Dispatch queue) with a deadline:
/// a request is answered `503 database_unavailable` when the database is down or slower than the
/// request timeout. Work that misses its deadline still finishes in the background; every write it
/// does is idempotent or uncommitted, so a client that retries gets the right result.
struct DatabaseRunner: Sendable {
    let pool: PostgresPool
    let timeout: Duration

    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresPool) throws -> T) async throws -> T {
        let (pool, timeout) = (pool, timeout)
        return try await withCheckedThrowingContinuation { continuation in
            let once = ResumeOnce(continuation)
            let timer = Task {
                try await Task.sleep(for: timeout)
                once.resume(with: .failure(APIError.databaseUnavailable))
            }
            Task {
                do {
                    once.resume(with: .success(try await pool.run(body)))
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
