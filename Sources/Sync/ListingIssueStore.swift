import ChannelVocabulary
import Ledger
import PostgresClient

/// The open conflicts adapters report about listings themselves (``ListingIssue``: `unmanaged_listing`,
/// `ended_offer`): one open conflict per (kind, channel, SKU) until the channel shows the listing selling under
/// its stock control again. They show in `omnistock status`, on the status page and in reconcile reports.
/// The SQL is `ConflictStore`'s and `OutboxStore`'s; this maps the adapters' issues onto them.
struct ListingIssueStore: Sendable {
    let pool: PostgresPool

    /// Records `issues` of `channel` (SKU, location scope, issue) that have no open conflict of their kind yet.
    func record(_ issues: [(sku: String, scope: String, issue: ListingIssue)], channel: String, source: String) throws {
        guard !issues.isEmpty else { return }
        try ConflictStore.recordListingIssues(
            channel: channel, source: source, kinds: issues.map { Self.conflictKind($0.issue.kind) }, skus: issues.map(\.sku),
            scopes: issues.map(\.scope), details: issues.map(\.issue.detail), pool: pool)
    }

    /// Resolves the open issues of SKUs the channel now shows under its stock control: `unmanaged_listing` once
    /// it tracks the stock, `ended_offer` once it shows units for sale.
    func resolveSettled(_ levels: [(sku: String, tracked: Bool, selling: Bool)], channel: String) throws {
        let settled = levels.filter(\.tracked)
        guard !settled.isEmpty else { return }
        try ConflictStore.resolveSettledListingIssues(channel: channel, skus: settled.map(\.sku), selling: settled.map(\.selling), pool: pool)
    }

    /// Makes the targets of untracked listings due again (the push turns the channel's stock tracking on) and
    /// records each as a resolved `unmanaged_listing` conflict.
    func pushAgain(_ levels: [(sku: String, scope: String)], channel: String, run: Int64) throws {
        guard !levels.isEmpty else { return }
        try pool.transaction { connection in
            try OutboxStore.pushAgainForgettingPushed(channel: channel, skus: levels.map(\.sku), scopes: levels.map(\.scope), on: connection)
            try ConflictStore.recordUnmanagedPushedAgain(
                channel: channel, skus: levels.map(\.sku), scopes: levels.map(\.scope), run: run, on: connection)
        }
        try WakeAfterCommit.send(.outbox, pool: pool)
    }

    static func conflictKind(_ kind: ListingIssue.Kind) -> ConflictKind {
        switch kind {
        case .unmanagedListing: .unmanagedListing
        case .endedOffer: .endedOffer
        }
    }
}
