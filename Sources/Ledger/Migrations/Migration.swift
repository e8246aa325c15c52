/// One versioned schema change, embedded in the binary.
public struct Migration: Sendable {
    /// Applied in ascending order; recorded in `schema_migrations`.
    public var version: Int
    public var name: String
    public var sql: String

    /// Every migration this build knows, in order.
    public static let all: [Migration] = [.ledger, .syncState, .orderEvents, .claimOwners, .lagSamples, .setBasedAvailability, .wakeAfterCommit, .outboxDueByChannel, .channelCredentials, .inboxSetAside, .sourcing, .listingIssues, .listingMatch, .decreasesFirst, .channelCapabilities]

    /// The version a fully migrated database has.
    public static var latestVersion: Int { all.map(\.version).max() ?? 0 }
}
