import PostgresClient

/// Webhook ingress into the inbox through a group commit (`GroupCommit`): the deliveries that arrive while another
/// batch is being stored are inserted by one statement and committed together, and the event processor is woken once
/// per batch. A lone delivery is stored at once.
package final class InboxWriter: Sendable {
    private let batcher: GroupCommit<InboxStore.Delivery, InboxStore.Outcome>

    /// Stores into `pool`'s inbox, gathering as `settings` say.
    package init(pool: PostgresPool, settings: GroupCommitSettings) {
        batcher = GroupCommit(settings: settings, timeout: pool.acquireTimeout * 2) { deliveries in
            try InboxStore.store(deliveries, pool: pool)
        }
    }

    /// Stores and commits `delivery`; throws when it was not committed (the answer is then `503` and the channel
    /// delivers again), so no `200` is ever given for an event that is not in the inbox.
    package func store(_ delivery: InboxStore.Delivery) throws -> InboxStore.Outcome {
        try batcher.submit(delivery)
    }
}
