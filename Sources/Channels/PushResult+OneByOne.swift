import ChannelVocabulary

extension PushResult {
    /// The result of pushing `levels` one request each, in order, for APIs without a batch form (Allegro's offer
    /// PATCH, PrestaShop's stock_available PUT): `push` gives each level's outcome and any listing issue.
    static func oneByOne(
        _ levels: [ChannelLevel], _ push: (ChannelLevel) async -> (PushOutcome, ListingIssue?)
    ) async -> PushResult {
        var items: [PushResult.Item] = []
        for level in levels {
            let (outcome, issue) = await push(level)
            items.append(PushResult.Item(level: level, outcome: outcome, issue: issue))
        }
        return PushResult(items: items)
    }
}
