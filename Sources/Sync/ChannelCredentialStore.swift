import ChannelVocabulary
import Crypto
import PostgresClient

/// The latest OAuth tokens of channels that rotate them (see migration 9), per channel and per configured
/// refresh token: a stored chain is used only while the configuration still names the token it started from.
package struct ChannelCredentialStore: Sendable {
    /// Tokens to use instead of the configured ones.
    package struct Tokens: Sendable, Equatable {
        package var accessToken: String?
        package var refreshToken: String

        package init(accessToken: String?, refreshToken: String) {
            self.accessToken = accessToken
            self.refreshToken = refreshToken
        }
    }

    let pool: PostgresPool

    package init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The latest tokens of `channel`'s chain that started from `configuredRefreshToken`, if any were stored.
    package func latest(channel: String, configuredRefreshToken: String) throws -> Tokens? {
        try pool.query(
            "SELECT access_token, refresh_token FROM channel_credentials WHERE channel = $1 AND configured_digest = $2",
            [channel, Self.digest(configuredRefreshToken)]
        ) { rows in
            try rows.first.map { Tokens(accessToken: try $0.decode(String?.self, at: 0), refreshToken: try $0.decode(at: 1)) }
        }
    }

    /// Stores `tokens` as the latest of `channel`'s chain that started from `configuredRefreshToken`.
    package func save(_ tokens: Tokens, channel: String, configuredRefreshToken: String) throws {
        try pool.execute(
            """
            INSERT INTO channel_credentials (channel, configured_digest, refresh_token, access_token) VALUES ($1, $2, $3, $4)
            ON CONFLICT (channel) DO UPDATE SET configured_digest = EXCLUDED.configured_digest,
                refresh_token = EXCLUDED.refresh_token, access_token = EXCLUDED.access_token, updated_at = now()
            """, [channel, Self.digest(configuredRefreshToken), tokens.refreshToken, tokens.accessToken])
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).lowercaseHex
    }
}
