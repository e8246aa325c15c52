import Foundation
import Ledger

/// What reconcile found and did for one channel.
public struct ChannelReconcileReport: Codable, Sendable, Equatable {
    /// The channel code.
    public var channel: String
    /// Levels read from the channel that the ledger knows (SKU and location scope).
    public var compared = 0
    /// Levels equal to what the ledger says the channel should show.
    public var inSync = 0
    /// Levels that differ only because a push is already on its way.
    public var pending = 0
    /// Levels the channel shows for SKUs or locations the ledger does not know (ignored).
    public var unknown = 0
    /// Levels edited at the channel: pushed again (ledger wins).
    public var drift = 0
    /// Order events the daemon never received, imported now.
    public var missedOrders = 0
    /// Physical counts reported by a store endpoint that differ from the ledger: recorded as `count` movements.
    public var countChanges = 0
    /// Store levels below their active pickup reservations.
    public var shortfalls = 0
    /// Order lines that could not be covered (backorder conflicts) while importing missed orders.
    public var oversold = 0
    /// Active pickup reservations the store endpoint was asked to hold again.
    public var pickupHolds = 0
    /// Failures that stopped part of the channel's reconcile; what was committed before them stays.
    public var errors: [String] = []
    /// Wall time spent on the channel.
    public var durationSeconds = 0.0

    /// An empty report for `channel`.
    public init(channel: String) {
        self.channel = channel
    }

    /// Whether reconcile found anything to change (drift, missed orders, counts, shortfalls, backorders).
    public var foundDifferences: Bool {
        drift + missedOrders + countChanges + shortfalls + oversold > 0
    }
}

/// A proposed stock transfer that would cover a pickup shortfall.
public struct TransferProposal: Codable, Sendable, Equatable {
    /// The location to take the units from.
    public var from: String
    /// How many units it can give (at most the shortfall).
    public var quantity: Int
    /// Its distance to the store, when the distance table knows it.
    public var distance: Int?

    public init(from: String, quantity: Int, distance: Int?) {
        self.from = from
        self.quantity = quantity
        self.distance = distance
    }
}

/// One difference reconcile found, as listed in the report.
public struct ReconcileFinding: Codable, Sendable, Equatable {
    /// A conflict kind of DESIGN.md §6: `drift`, `missed_order`, `count_mismatch`, `pickup_shortfall`, `oversold`,
    /// or `unmanaged_listing` (a listing the channel sells without tracking its stock).
    public var kind: String
    public var channel: String
    public var sku: String?
    public var location: String?
    /// What the channel showed (drift) or counted (count mismatch).
    public var channelValue: Int?
    /// What the ledger says (value to show, or on hand).
    public var ledgerValue: Int?
    /// The order concerned (missed orders) or the pickup orders affected (shortfalls).
    public var orders: [String]?
    /// Where the missing units could come from (shortfalls).
    public var transfer: TransferProposal?
    /// What reconcile did about it (or would do, in a dry run).
    public var resolution: String
}

/// The outcome of one reconcile run, stored as the run's `report` and printed by `omnistock reconcile --json`.
public struct ReconcileReport: Codable, Sendable, Equatable {
    /// The `reconcile_runs` row.
    public var runID: Int64
    public var dryRun: Bool
    public var channels: [ChannelReconcileReport]
    /// The first ``ReconcileReport/findingLimit`` findings.
    public var findings: [ReconcileFinding]
    /// Findings beyond the limit, counted but not listed.
    public var findingsOmitted: Int
    /// Conflicts still unresolved after the run (for the reconciled channels, and those of no channel).
    public var openConflicts: Int
    public var durationSeconds: Double

    /// How many findings a report lists.
    public static let findingLimit = 100

    /// Whether an operator should look: a channel failed, conflicts stay open, or a dry run found differences.
    public var needsAttention: Bool {
        openConflicts > 0 || channels.contains { !$0.errors.isEmpty || (dryRun && $0.foundDifferences) }
    }
}

/// Progress of one channel, reported while a run goes on.
public struct ChannelProgress: Sendable, Equatable {
    public var channel: String
    /// Levels read so far.
    public var compared: Int
    /// Levels expected (the channel's known targets), when known.
    public var total: Int?
    /// True once the channel is finished.
    public var finished: Bool
}
