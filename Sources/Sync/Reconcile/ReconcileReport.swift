import Foundation
import Ledger

/// What reconcile found and did for one channel.
package struct ChannelReconcileReport: Codable, Sendable, Equatable {
    /// The channel code.
    package var channel: String
    /// Levels read from the channel that the ledger knows (SKU and location scope).
    package var compared = 0
    /// Levels equal to what the ledger says the channel should show.
    package var inSync = 0
    /// Levels that differ only because a push is already on its way.
    package var pending = 0
    /// Levels the channel shows for SKUs or locations the ledger does not know (ignored).
    package var unknown = 0
    /// Levels edited at the channel: pushed again (ledger wins).
    package var drift = 0
    /// Order events the daemon never received, imported now.
    package var missedOrders = 0
    /// Physical counts reported by a store endpoint that differ from the ledger: recorded as `count` movements.
    package var countChanges = 0
    /// Store levels below their active pickup reservations.
    package var shortfalls = 0
    /// Order lines that could not be covered (backorder conflicts) while importing missed orders.
    package var oversold = 0
    /// Active pickup reservations the store endpoint was asked to hold again.
    package var pickupHolds = 0
    /// Failures that stopped part of the channel's reconcile; what was committed before them stays.
    package var errors: [String] = []
    /// Wall time spent on the channel.
    package var durationSeconds = 0.0

    /// An empty report for `channel`.
    package init(channel: String) {
        self.channel = channel
    }

    /// Whether reconcile found anything to change (drift, missed orders, counts, shortfalls, backorders).
    package var foundDifferences: Bool {
        drift + missedOrders + countChanges + shortfalls + oversold > 0
    }
}

/// A proposed stock transfer that would cover a pickup shortfall.
package struct TransferProposal: Codable, Sendable, Equatable {
    /// The location to take the units from.
    package var from: String
    /// How many units it can give (at most the shortfall).
    package var quantity: Int
    /// Its distance to the store, when the distance table knows it.
    package var distance: Int?

    package init(from: String, quantity: Int, distance: Int?) {
        self.from = from
        self.quantity = quantity
        self.distance = distance
    }
}

/// One difference reconcile found, as listed in the report.
package struct ReconcileFinding: Codable, Sendable, Equatable {
    /// The conflict kind (DESIGN.md §6) reconcile found: drift, missed order, count mismatch, pickup shortfall or
    /// unmanaged listing (a listing the channel sells without tracking its stock); JSON carries its raw value.
    package var kind: ConflictKind
    package var channel: String
    package var sku: String?
    package var location: String?
    /// What the channel showed (drift) or counted (count mismatch).
    package var channelValue: Int?
    /// What the ledger says (value to show, or on hand).
    package var ledgerValue: Int?
    /// The order concerned (missed orders) or the pickup orders affected (shortfalls).
    package var orders: [String]?
    /// Where the missing units could come from (shortfalls).
    package var transfer: TransferProposal?
    /// What reconcile did about it (or would do, in a dry run).
    package var resolution: String
}

/// The outcome of one reconcile run, stored as the run's `report` and printed by `omnistock reconcile --json`.
package struct ReconcileReport: Codable, Sendable, Equatable {
    /// The `reconcile_runs` row.
    package var runID: Int64
    package var dryRun: Bool
    package var channels: [ChannelReconcileReport]
    /// The first ``ReconcileReport/findingLimit`` findings.
    package var findings: [ReconcileFinding]
    /// Findings beyond the limit, counted but not listed.
    package var findingsOmitted: Int
    /// Conflicts still unresolved after the run (for the reconciled channels, and those of no channel).
    package var openConflicts: Int
    package var durationSeconds: Double

    /// How many findings a report lists.
    package static let findingLimit = 100

    /// Whether an operator should look: a channel failed, conflicts stay open, or a dry run found differences.
    package var needsAttention: Bool {
        openConflicts > 0 || channels.contains { !$0.errors.isEmpty || (dryRun && $0.foundDifferences) }
    }
}

/// Progress of one channel, reported while a run goes on.
package struct ChannelProgress: Sendable, Equatable {
    package var channel: String
    /// Levels read so far.
    package var compared: Int
    /// Levels expected (the channel's known targets), when known.
    package var total: Int?
    /// True once the channel is finished.
    package var finished: Bool
}
