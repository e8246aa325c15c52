/// One versioned schema change, embedded in the binary.
package struct Migration: Sendable {
    /// Applied in ascending order; recorded in `schema_migrations`.
    package var version: Int
    package var name: String
    package var sql: String

    /// Every migration this build knows, in order.
    package static let all: [Migration] = [
        .ledger, .syncState, .orderEvents, .claimOwners, .lagSamples, .setBasedAvailability, .wakeAfterCommit, .outboxDueByChannel,
        .channelCredentials, .inboxSetAside, .sourcing, .listingIssues, .listingMatch, .decreasesFirst, .channelCapabilities,
        .channelKindsFromAdapters, .retention, .lagAwareBuffers, .unseenSales, .levelTargetsPerStatement,
        .channelValuesByKey, .levelTargetsPlannedForTheirSize, .keyLookupsOnStaleStatistics, .levelsAsParents,
    ]

    /// The version a fully migrated database has.
    package static var latestVersion: Int { all.map(\.version).max() ?? 0 }
}
