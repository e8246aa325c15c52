import Foundation
import Ledger
import PostgresClient
import TestSupport

/// Runs ledger calls so that they meet in one group-commit batch: the first is held on a level's row lock while the
/// others queue behind it (with a ledger of one batch in flight), then let go. Rows written by one transaction share
/// its `xmin`, which `transactions` counts to show how many transactions there were.
struct BatchedCalls {
    let fixture: LedgerFixture
    let warehouse = LedgerFixture.warehouse

    /// Starts `first` (alone, held on the row lock of `sku`'s level), then `rest` once it is held, then lets go.
    func run(lock sku: String, first: @escaping @Sendable () -> Void, rest: [@Sendable () -> Void]) throws {
        let blocker = try PostgresConnection(conninfo: fixture.database.pool.conninfo)
        try blocker.execute("BEGIN")
        try blocker.query("SELECT 1 FROM levels WHERE sku = $1 AND location = $2 FOR UPDATE", [sku, warehouse])
        let group = DispatchGroup()
        for (index, body) in ([first] + rest).enumerated() {
            group.enter()
            Thread {
                body()
                group.leave()
            }.start()
            if index == 0 { Thread.sleep(forTimeInterval: 0.2) }
        }
        Thread.sleep(forTimeInterval: 0.4)
        try blocker.execute("COMMIT")
        group.wait()
    }

    /// How many transactions wrote the rows `sql` selects (it must select `xmin`).
    func transactions(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> Int {
        try fixture.scalar("SELECT count(DISTINCT xmin::text) FROM (\(sql)) AS rows", parameters)
    }
}

/// Results and errors by name, from many threads.
final class Results<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [String: Result<Value, any Error>] = [:]
    func record(_ name: String, _ result: Result<Value, any Error>) { lock.withLock { results[name] = result } }
    func get(_ name: String) throws -> Value {
        guard let result = lock.withLock({ results[name] }) else { throw LedgerError.invalidArgument("no result for \(name)") }
        return try result.get()
    }
    func error(_ name: String) -> (any Error)? {
        lock.withLock {
            guard case .failure(let error) = results[name] else { return nil }
            return error
        }
    }
}
