import ChannelVocabulary
import Crypto
import Foundation

extension ShopifyChannel {
    /// One quantity of an `inventorySetQuantities` input.
    struct SetQuantity: Sendable {
        var item: String
        var location: String
        var quantity: Int
        /// `changeFromQuantity`: the value Shopify is expected to hold (nil: explicit `null`, no comparison).
        var changeFrom: Int?
        /// The ledger's value; `quantity` is it less ``unseen``.
        var value: Int
        /// A lag-aware target's unseen-sales state (``ChannelLevel/unseenSales``).
        var unseenSales: UnseenSales?
        /// The unseen sales left out of `quantity`; nil when not counted.
        var unseen: Int?

        /// The quantity for `level`, compared with the value last written (or pushed).
        init(item: String, location: String, level: ChannelLevel) {
            self.item = item
            self.location = location
            self.value = level.value
            self.quantity = level.value
            self.unseenSales = level.unseenSales
            self.changeFrom = level.previousValue
            if let written = level.unseenSales?.lastWritten { rebase(on: written) }
        }

        /// Compares with `current` (what Shopify holds) and leaves out the sales it shows that the ledger has not seen.
        mutating func rebase(on current: Int) {
            changeFrom = current
            unseen = unseenSales?.count(channelShows: current, value: value)
            quantity = value - (unseen ?? 0)
        }

        var json: JSON {
            ["inventoryItemId": .string(item), "locationId": .string(location), "quantity": .int(quantity), "changeFromQuantity": JSON(changeFrom)]
        }
    }

    /// The configured quantities per `inventorySetQuantities` (at most ``ShopifyConfiguration/largestBatch``).
    package var largestBatch: Int { configuration.batchSize }

    /// Sends per batch, at most: the first, one after re-reading stale quantities, one more for what is left.
    static let sendsPerBatch = 3

    /// One `inventorySetQuantities` per batch. Levels need ``ChannelLevel/externalID`` (the inventory item id)
    /// and a mapped location.
    ///
    /// When Shopify answers `CHANGE_FROM_QUANTITY_STALE` (its own sales commit units, so `available` moved since
    /// our last push), the adapter reads the current `available` of each stale item at its location and sends the
    /// ledger's value again with that as `changeFromQuantity`, under a new idempotency key — once per quantity;
    /// for a lag-aware target (``ChannelLevel/unseenSales``) the value sent leaves out the sales Shopify made that
    /// the ledger has not seen (the fall from the value last written, less the orders applied since);
    /// a quantity still stale after that is a conflict carrying the value read (the next push starts from it). The mutation is all or nothing, so the
    /// quantities refused only because of others are sent again with it. The re-reads are counted in
    /// ``PushResult/compareAndSetRetries``.
    package func pushLevels(_ levels: [ChannelLevel]) async -> PushResult {
        var outcomes = [PushOutcome?](repeating: nil, count: levels.count)
        var ready: [(index: Int, quantity: SetQuantity)] = []
        for (index, level) in levels.enumerated() {
            guard let item = level.externalID else {
                outcomes[index] = .permanent("no Shopify inventory item for \(level.sku): discover listings first")
                continue
            }
            guard let location = configuration.locations[level.location] else {
                outcomes[index] = .permanent("location \(level.location) is not mapped to a Shopify location")
                continue
            }
            ready.append((index, SetQuantity(item: item, location: location, level: level)))
        }
        var retries = 0
        var unseen = [Int?](repeating: nil, count: levels.count)
        for batch in ready.chunked(into: configuration.batchSize) {
            let (batchOutcomes, sent, batchRetries) = await push(batch.map(\.quantity), version: batch.map { levels[$0.index].version }.max() ?? 0)
            retries += batchRetries
            for (entry, (outcome, quantity)) in zip(batch, zip(batchOutcomes, sent)) {
                outcomes[entry.index] = outcome
                unseen[entry.index] = quantity.unseen
            }
        }
        return PushResult(
            items: levels.indices.map {
                PushResult.Item(level: levels[$0], outcome: outcomes[$0] ?? .transient("not sent"), unseenSales: unseen[$0])
            },
            compareAndSetRetries: retries)
    }

    /// The outcomes, the quantities as last sent (each with the unseen sales it left out), and how many stale
    /// quantities were read back.
    private func push(_ quantities: [SetQuantity], version: Int64) async -> ([PushOutcome], [SetQuantity], retries: Int) {
        var quantities = quantities
        var outcomes = [PushOutcome](repeating: .transient("not sent"), count: quantities.count)
        var pending = Array(quantities.indices)
        var freshKey = false
        var readBack = Set<Int>()
        var retries = 0
        for _ in 0..<Self.sendsPerBatch {
            let input: JSON = [
                "name": "available", "reason": .string(configuration.reason),
                "referenceDocumentUri": .string("omnistock://levels/v\(version)"),
                "quantities": .array(pending.map { quantities[$0].json }),
            ]
            // The first send's key is derived from its input, so a repeat after a lost answer is recognised;
            // a send after a refusal is a new request and gets a new key (a failed key cannot be reused).
            let key = freshKey ? UUID().uuidString.lowercased() : SHA256.hash(data: input.encoded()).prefix(16).lowercaseHex
            freshKey = true
            let userErrors: [JSON]
            do {
                let data = try await graphQL.run(
                    ShopifyGraphQL.setQuantities, variables: ["input": input, "key": .string(key)], cost: ShopifyQueryCost.mutation)
                userErrors = data["inventorySetQuantities"]["userErrors"].array
            } catch {
                for index in pending { outcomes[index] = PushOutcome(error) }
                break
            }
            if userErrors.isEmpty {
                for index in pending { outcomes[index] = .ok }
                break
            }
            if userErrors.contains(where: { $0["code"].string == "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED" }) { continue }
            // `field` is a path such as ["input", "quantities", "3", "changeFromQuantity"].
            var refused: [Int: JSON] = [:]
            for error in userErrors {
                guard let position = error["field"].array.dropFirst(2).first?.int, pending.indices.contains(position) else {
                    for index in pending { outcomes[index] = Self.outcome(ofUserError: error) }
                    return (outcomes, quantities, retries)
                }
                refused[pending[position]] = error
            }
            var again = pending.filter { refused[$0] == nil }
            for index in again { outcomes[index] = .transient("not applied: another quantity in the batch was refused") }
            var stale: [Int] = []
            for (index, error) in refused {
                if error["code"].string == "CHANGE_FROM_QUANTITY_STALE" || error["code"].string == "COMPARE_QUANTITY_STALE" {
                    // A quantity stale again after its read-back is left to the next push, based on the value read.
                    outcomes[index] = .conflict(current: readBack.contains(index) ? quantities[index].changeFrom : nil)
                    if !readBack.contains(index) { stale.append(index) }
                } else {
                    outcomes[index] = Self.outcome(ofUserError: error)
                }
            }
            for index in stale.sorted() {
                guard let current = try? await currentAvailable(quantities[index]) else { continue }
                readBack.insert(index)
                quantities[index].rebase(on: current)
                outcomes[index] = .conflict(current: current)
                retries += 1
                again.append(index)
            }
            pending = again.sorted()
            if pending.isEmpty { break }
        }
        return (outcomes, quantities, retries)
    }

    /// The `available` quantity Shopify holds now for the item at the location.
    private func currentAvailable(_ quantity: SetQuantity) async throws(ChannelError) -> Int {
        let data = try await graphQL.run(
            ShopifyGraphQL.itemLevel, variables: ["item": .string(quantity.item), "location": .string(quantity.location)],
            cost: ShopifyQueryCost.itemLevel)
        guard
            let available = data["inventoryItem"]["inventoryLevel"]["quantities"].array.first(where: { $0["name"].string == "available" })?[
                "quantity"
            ].int
        else { throw ChannelError(.malformed, "no available quantity for \(quantity.item) at \(quantity.location)") }
        return available
    }

    private static func outcome(ofUserError error: JSON) -> PushOutcome {
        switch error["code"].string {
        case "CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE":
            .conflict(current: nil)
        case "IDEMPOTENCY_CONCURRENT_REQUEST":
            .retryAfter(seconds: 1)
        default:
            .permanent("\(error["code"].string ?? "error"): \(error["message"].string ?? "")")
        }
    }
}
