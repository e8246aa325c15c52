import ChannelVocabulary

extension PushResult {
    /// The result of pushing `levels` one request each, in order, for APIs without a batch form (Allegro's offer
    /// PATCH, PrestaShop's stock_available PUT): `push` gives each level's item.
    static func oneByOne(_ levels: [ChannelLevel], _ push: (ChannelLevel) async -> PushResult.Item) async -> PushResult {
        var items: [PushResult.Item] = []
        for level in levels {
            items.append(await push(level))
        }
        return PushResult(items: items)
    }
}
