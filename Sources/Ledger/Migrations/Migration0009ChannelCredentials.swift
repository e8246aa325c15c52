extension Migration {
    /// OAuth tokens a channel rotates (Allegro issues a new refresh token with every refresh and the old one stops
    /// working): kept here so a restarted daemon, or a CLI run beside it, goes on from the latest token instead of
    /// the configured one, which the first refresh used up. `configured_digest` is the SHA-256 of the configured
    /// refresh token the chain started from: an operator who configures a new one starts a new chain.
    static let channelCredentials = Migration(
        version: 9, name: "channel_credentials",
        sql: #"""
            CREATE TABLE channel_credentials (
                channel            text PRIMARY KEY,
                configured_digest  text NOT NULL,
                refresh_token      text NOT NULL,
                access_token       text,
                updated_at         timestamptz NOT NULL DEFAULT now()
            );
            """#)
}
