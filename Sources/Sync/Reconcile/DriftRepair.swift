import Ledger
import PostgresClient

/// Ledger wins: drifted targets become due again with the channel's value as the last pushed one (the
/// compare-and-set base for channels that have one), and each is recorded as a resolved `drift` conflict.
enum DriftRepair {
    static func pushAgain(_ levels: [ComparedLevel], channel: String, run: ReconcileRun, on pool: PostgresPool) throws {
        try pool.transaction { connection in
            try OutboxStore.pushAgain(
                channel: channel, skus: levels.map(\.sku), scopes: levels.map(\.scope), channelValues: levels.map(\.shown), on: connection)
            try ConflictStore.recordRepairedDrift(
                channel: channel, skus: levels.map(\.sku), scopes: levels.map(\.scope), shown: levels.map(\.shown),
                wanted: levels.map(\.wanted), pushed: levels.map(\.pushedValue), run: run.id, on: connection)
        }
        try WakeAfterCommit.send(.outbox, pool: pool)
    }
}
