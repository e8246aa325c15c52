import PostgresClient

/// Webhook ingress into the inbox through a group commit (`AsyncGroupCommit`): the deliveries that arrive while a
/// batch is being stored are inserted by the next one statement and committed together, and the event processor is
/// woken after them, at most once per `WakeCoalescer.defaultInterval`. A lone delivery is stored at once. A waiting
/// delivery holds no thread.
///
/// One batch is written at a time, whatever `settings.maxInFlight` says: in the webhook bench two at a time gave
/// batches of about 2 and 0.28x of the trivial route's rate, one at a time batches of about 3.5 and 0.36x. The window
/// is not waited out (a window of 0 still turns group commit off).
package final class InboxWriter: Sendable {
    private let batcher: AsyncGroupCommit<InboxStore.Delivery, InboxStore.Outcome>

    /// Stores into `pool`'s inbox, gathering as `settings` say; a delivery not committed within `timeout` fails.
    package init(pool: PostgresPool, settings: GroupCommitSettings, timeout: Duration) {
        var oneAtATime = settings
        oneAtATime.maxInFlight = 1
        let wake = WakeCoalescer(.inbox, pool: pool)
        batcher = AsyncGroupCommit(settings: oneAtATime, label: "omnistock.inbox-writer", timeout: timeout) { deliveries in
            try InboxStore.store(deliveries, pool: pool, wake: wake)
        }
    }

    /// Stores and commits `delivery`; throws when it was not committed, or not within the timeout (the answer is then
    /// `503` and the channel delivers again), so no `200` is ever given for an event that is not in the inbox.
    package func store(_ delivery: InboxStore.Delivery) async throws -> InboxStore.Outcome {
        try await batcher.submit(delivery)
    }
}
