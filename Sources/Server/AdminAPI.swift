import Hummingbird
import Ledger
import PostgresClient

/// The admin API under `/v1`: read routes need a `read` (or `write`) token, write routes a `write` token.
struct AdminAPI: Sendable {
    let ledger: StockLedger
    let database: DatabaseRunner
    let maxBodyBytes: Int

    typealias Group = RouterGroup<BasicRequestContext>

    func register(read: Group, write: Group) {
        registerStock(read: read)
        registerReservations(write: write)
        registerMovements(write: write)
        registerConflicts(read: read)
        registerReconcile(read: read, write: write)
        registerChannels(read: read)
        registerBundles(read: read, write: write)
        registerListings(read: read, write: write)
    }

    /// `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header).
    static let idempotencyKeyHeader = HTTPFields.Element.Name("Idempotency-Key")!

    /// The client's `Idempotency-Key`, namespaced so it never meets a key the daemon derives itself.
    static func idempotencyKey(_ request: Request, required: Bool) throws -> String? {
        guard let key = request.headers[idempotencyKeyHeader] else {
            if required { throw APIError.invalidRequest("the Idempotency-Key header is required") }
            return nil
        }
        guard (1...200).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw APIError.invalidRequest("the Idempotency-Key must be 1 to 200 visible ASCII characters")
        }
        return "api:" + key
    }

    /// Runs an idempotent ledger write and tells whether it was a replay of an earlier request
    /// (answered `200` instead of `201`; two racing first attempts may both see `201`).
    func write<T: Sendable>(key: String, _ body: @escaping @Sendable (StockLedger) throws -> T) async throws -> (T, replayed: Bool) {
        let ledger = ledger
        return try await database.run { pool in
            let replayed = try pool.query(
                "SELECT EXISTS (SELECT 1 FROM operations WHERE idempotency_key = $1 AND result IS NOT NULL)", [key]
            ) { try $0[0].decode(Bool.self, at: 0) }
            return (try body(ledger), replayed)
        }
    }
}
