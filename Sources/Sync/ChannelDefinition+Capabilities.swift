import ChannelVocabulary
import Ledger

extension ChannelDefinition {
    /// This definition with what the channel's adapter declares, as the `channels` row stores it for SQL
    /// (`holds_reservations`, `needs_listings`).
    package func declaring(_ capabilities: ChannelCapabilities) -> Self {
        var definition = self
        definition.holdsReservations = capabilities.holdsReservations
        definition.needsListings = capabilities.needsListings
        return definition
    }
}
