import Foundation
import Ledger
import PostgresClient

/// Ledger writes as fast as clients can make them: reservations, sales and orders on many SKUs (no contention),
/// and reservations of one hot SKU.
struct LedgerWriteBench {
    let ledger: StockLedger
    let location: String

    /// What each client does again and again, one unit of a random SKU at a time.
    enum Operation: String, Sendable {
        /// A checkout's reservation (one write).
        case reserve
        /// A walk-in sale (one write).
        case sell
        /// An order: a reservation, then its commit (two writes).
        case reserveThenCommit = "reserve then commit"
    }

    /// Ledger writes per second with `clients` threads doing `operation` on random SKUs among `skus`, for `seconds`.
    func writesPerSecond(_ operation: Operation, clients: Int, skus: Int, seconds: Double) -> Double {
        let counter = Tally()
        let deadline = Date().addingTimeInterval(seconds)
        let started = Date()
        runThreads(clients) { client in
            var index = 0
            while Date() < deadline {
                index += 1
                let sku = BenchCatalog.sku(Int.random(in: 0..<skus))
                let key = "bench-\(operation.rawValue)-\(clients)-\(client)-\(index)-\(UUID().uuidString.prefix(8))"
                counter.add(write(operation, sku: sku, key: key))
            }
        }
        return Double(counter.value) / Date().timeIntervalSince(started)
    }

    /// Reservations per second, and how many were made, when `connections` threads each make `batch` reservations
    /// of random SKUs among `skus` as one statement, back to back, for `seconds`: the reservation statement with
    /// `connections × batch` requests outstanding and nothing between its executions (no gathering, no wake-ups of
    /// waiting clients). What group commit at that many clients could reach at best on this machine.
    func statementCeiling(connections: Int, batch: Int, skus: Int, seconds: Double) -> (perSecond: Double, made: Int) {
        let made = Tally()
        let run = UUID().uuidString.prefix(8)
        let deadline = Date().addingTimeInterval(seconds)
        let started = Date()
        runThreads(connections) { connection in
            var index = 0
            while Date() < deadline {
                let requests = (0..<batch).map { _ in
                    index += 1
                    let sku = BenchCatalog.sku(Int.random(in: 0..<skus))
                    let request = ReservationRequest(sku: sku, location: location, quantity: 1, kind: .checkout)
                    return (request: request, key: "bench-ceiling-\(run)-\(connection)-\(index)")
                }
                made.add((try? ledger.reserveAsOneBatch(requests)) ?? 0)
            }
        }
        return (Double(made.value) / Date().timeIntervalSince(started), made.value)
    }

    /// Does `operation` once; returns how many writes succeeded.
    private func write(_ operation: Operation, sku: String, key: String) -> Int {
        let request = ReservationRequest(sku: sku, location: location, quantity: 1, kind: .checkout)
        switch operation {
        case .reserve:
            return (try? ledger.reserve(request, key: key)) == nil ? 0 : 1
        case .sell:
            return (try? ledger.sell(sku: sku, location: location, quantity: 1, key: key)) == nil ? 0 : 1
        case .reserveThenCommit:
            guard let receipt = try? ledger.reserve(request, key: key) else { return 0 }
            return (try? ledger.commit(reservationID: receipt.reservation.id)) == nil ? 1 : 2
        }
    }

    /// `clients` threads reserve one unit each of one SKU with `stock` units until it is gone.
    /// Returns reservations per second, how many succeeded (must equal `stock`) and how many were refused for anything
    /// but stock (0 unless the database failed).
    func hotSKU(clients: Int, sku: String, stock: Int) -> (rate: Double, succeeded: Int, refusedOtherwise: Int) {
        let (succeeded, refusedOtherwise) = (Tally(), Tally())
        let started = Date()
        runThreads(clients) { client in
            var index = 0
            while true {
                index += 1
                let request = ReservationRequest(sku: sku, location: location, quantity: 1, kind: .checkout)
                do {
                    // Keys of this SKU's own: every round runs on the same database with a new SKU.
                    _ = try ledger.reserve(request, key: "hot-\(sku)-\(client)-\(index)")
                    succeeded.add(1)
                } catch LedgerError.insufficientStock {
                    return
                } catch {
                    refusedOtherwise.add(1)
                }
            }
        }
        return (Double(succeeded.value) / Date().timeIntervalSince(started), succeeded.value, refusedOtherwise.value)
    }

    private func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for client in 0..<count {
            group.enter()
            Thread {
                body(client)
                group.leave()
            }.start()
        }
        group.wait()
    }
}

/// A thread-safe counter.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add(_ amount: Int) { lock.withLock { count += amount } }
}

/// The synthetic catalogue benchmarks run on.
enum BenchCatalog {
    /// `BENCH-` and `index` with at least six digits. Called once per write of the load, so it does without
    /// `String(format:)`, whose locale handling cost about 1 % of the machine in the 8-client phase.
    static func sku(_ index: Int) -> String {
        let digits = String(index)
        return "BENCH-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Creates `skus` SKUs with `onHand` units at each of `locations` (new to the database), with matching
    /// receipt movements for the levels it creates, in a few set-based statements (setup, not measured).
    static func create(pool: PostgresPool, skus: Int, locations: [String], onHand: Int) throws {
        try pool.transaction { connection in
            for location in locations {
                try connection.query(
                    "INSERT INTO locations (code, name, kind) VALUES ($1, $1, 'warehouse') ON CONFLICT DO NOTHING", [location])
            }
            try connection.query(
                """
                INSERT INTO skus (sku, name) SELECT format('BENCH-%s', lpad(i::text, 6, '0')), 'bench item'
                FROM generate_series(0, $1 - 1) AS i ON CONFLICT DO NOTHING
                """, [skus])
            try connection.query(
                """
                WITH created AS (
                    INSERT INTO levels (sku, location, on_hand)
                    SELECT format('BENCH-%s', lpad(i::text, 6, '0')), location, $2
                    FROM generate_series(0, $1 - 1) AS i, unnest($3::text[]) AS location
                    ON CONFLICT DO NOTHING
                    RETURNING sku, location)
                INSERT INTO movements (sku, location, delta, reason, idempotency_key)
                SELECT sku, location, $2, 'receipt', format('bench-seed:%s:%s', sku, location) FROM created
                """, [skus, onHand, locations])
        }
    }
}
