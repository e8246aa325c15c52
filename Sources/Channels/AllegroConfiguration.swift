/// Settings of an `allegro` channel (Allegro REST API).
package struct AllegroConfiguration: Sendable {
    /// The API root.
    package var apiURL: String
    /// The OAuth token endpoint used for the refresh-token grant.
    package var tokenURL: String
    /// The application's client id.
    package var clientID: String
    /// The application's client secret.
    package var clientSecret: String
    /// An access token to start with, if one is stored.
    package var accessToken: String?
    /// The refresh token (Allegro issues a new one with every refresh).
    package var refreshToken: String
    /// Called with the new tokens after every refresh, so the caller can store them.
    package var onTokensRefreshed: (@Sendable (_ accessToken: String, _ refreshToken: String) -> Void)?
    /// Called before each refresh for the latest stored tokens, which another process (a CLI run, a replica, the
    /// previous run of this one) may have rotated; nil when none are stored.
    package var storedTokens: (@Sendable () -> (accessToken: String?, refreshToken: String)?)?
    /// Offers per `GET /sale/offers` page.
    package var pageSize: Int
    /// Events per `GET /order/events` call.
    package var eventsPageSize: Int

    /// Creates a configuration for production Allegro unless URLs are given.
    package init(
        apiURL: String = "https://api.allegro.pl", tokenURL: String = "https://allegro.pl/auth/oauth/token",
        clientID: String, clientSecret: String, accessToken: String? = nil, refreshToken: String,
        onTokensRefreshed: (@Sendable (String, String) -> Void)? = nil,
        storedTokens: (@Sendable () -> (accessToken: String?, refreshToken: String)?)? = nil,
        pageSize: Int = 1000, eventsPageSize: Int = 100
    ) {
        self.apiURL = apiURL
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.onTokensRefreshed = onTokensRefreshed
        self.storedTokens = storedTokens
        self.pageSize = pageSize
        self.eventsPageSize = eventsPageSize
    }
}
