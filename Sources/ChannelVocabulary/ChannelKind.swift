/// A channel kind as written in config and what its adapter declares: the table config validation and the
/// daemon read (the adapters module lists one per adapter), so that a kind's abilities live with its adapter.
package struct ChannelKind: Sendable, Hashable {
    /// The name in config (`kind = "shopify"`).
    package var name: String
    /// What the kind's adapter declares.
    package var capabilities: ChannelCapabilities

    /// Creates an entry.
    package init(name: String, capabilities: ChannelCapabilities) {
        self.name = name
        self.capabilities = capabilities
    }

    /// The entry of `channel`'s type.
    package init(_ channel: any Channel.Type) {
        self.init(name: channel.kind, capabilities: channel.capabilities)
    }
}
