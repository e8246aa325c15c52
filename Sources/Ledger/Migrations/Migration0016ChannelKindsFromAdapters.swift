extension Migration {
    /// Channel kinds are the adapters this build has (`ChannelAdapters.kinds`), checked when the configuration is
    /// loaded (issue 14): a `CHECK` listing the kind names would need a migration for every new adapter and would
    /// be a second list to keep in step. What SQL needs of a kind lives in the capability columns (migration 15).
    static let channelKindsFromAdapters = Migration(
        version: 16, name: "channel_kinds_from_adapters",
        sql: #"""
            ALTER TABLE channels DROP CONSTRAINT channels_kind_check,
                ADD CONSTRAINT channels_kind_check CHECK (kind ~ '^[a-z][a-z0-9-]{0,31}$');
            """#)
}
