import PostgresClient

/// A level's identity: one SKU at one location.
struct LevelKey: Hashable, Comparable {
    var sku: String
    var location: String

    static func < (lhs: LevelKey, rhs: LevelKey) -> Bool { (lhs.sku, lhs.location) < (rhs.sku, rhs.location) }
}

extension PostgresConnection {
    /// Runs one execution per call in one pipelined transaction, ordered by the level each changes and, for one
    /// level, by arrival; returns each call's rows in the calls' order.
    ///
    /// Every batch that writes levels locks them in this (sku, location) order, so two batches never deadlock; calls
    /// for one level keep their order, so each is evaluated against the stock the one before it left.
    func pipelinedInLevelOrder<Call>(
        _ calls: [Call], level: (Call) -> LevelKey, execution: (Call) -> (PreparedStatement, [any PostgresBindable])
    ) throws -> [PostgresRows] {
        let order = calls.indices.sorted { (level(calls[$0]), $0) < (level(calls[$1]), $1) }
        let results = try pipelinedTransaction(order.map { execution(calls[$0]) })
        return zip(order, results).sorted { $0.0 < $1.0 }.map(\.1)
    }
}
