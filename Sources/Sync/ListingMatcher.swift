import ChannelVocabulary

/// Decides which channel item is each unlisted SKU's listing, as a plain value (no I/O): a SKU is mapped only
/// when exactly one item carries its key and no other SKU claims that item; anything else is a duplicate,
/// reported with every item and SKU involved, never a silent pick.
struct ListingMatcher: Sendable {
    /// One SKU that could not be mapped because its match is ambiguous.
    struct Duplicate: Sendable, Equatable {
        var sku: String
        /// The key (SKU or barcode) compared.
        var key: String
        /// The channel items carrying the key.
        var items: [String]
        /// The SKUs claiming those items (this one included), sorted.
        var skus: [String]
    }

    /// What the matcher decided.
    struct Outcome: Sendable, Equatable {
        /// SKU → the channel id now its listing.
        var matches: [String: String] = [:]
        var duplicates: [Duplicate] = []
    }

    /// `unlisted`: SKUs without a listing and their key; `items`: the channel items carrying any of those keys;
    /// `listed`: channel id → the SKUs already mapped to it (an item already mapped cannot be another SKU's too).
    static func match(
        unlisted: [(sku: String, key: String)], items: [ChannelItem], by match: ListingMatch,
        listed: [String: [String]]
    ) -> Outcome {
        let itemsByKey = Dictionary(grouping: items) { match.key(of: $0) ?? "" }
        let skusByKey = Dictionary(grouping: unlisted, by: \.key).mapValues { $0.map(\.sku) }
        var outcome = Outcome()
        for (sku, key) in unlisted.sorted(by: { $0.sku < $1.sku }) {
            let candidates = (itemsByKey[key] ?? []).map(\.externalID).sorted()
            guard !candidates.isEmpty else { continue }
            let claimants = Set(candidates.flatMap { (listed[$0] ?? []) + (skusByKey[key] ?? []) }).sorted()
            if candidates.count == 1 && claimants == [sku] {
                outcome.matches[sku] = candidates[0]
            } else {
                outcome.duplicates.append(Duplicate(sku: sku, key: key, items: candidates, skus: claimants))
            }
        }
        return outcome
    }
}
