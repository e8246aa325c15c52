import ChannelVocabulary

/// The adapters this build has: the one place a kind name leads to an adapter type, and so to what the kind can
/// do (config validation, the capabilities stored on `channels`).
package enum ChannelAdapters {
    /// Every adapter type, in the order config messages list their kinds.
    package static let types: [any Channel.Type] = [
        ShopifyChannel.self, WooCommerceChannel.self, AllegroChannel.self,
        MiraklChannel.self,
        EmagChannel.self,
        ErliChannel.self,
        PrestaShopChannel.self,
        OmnistockJSONChannel.self,
    ]

    /// Every kind with what its adapter declares.
    package static let kinds: [ChannelKind] = types.map(ChannelKind.init)

    /// The kind named `name` (as written in config), if an adapter has it.
    package static func kind(named name: String) -> ChannelKind? {
        kinds.first { $0.name == name }
    }
}
