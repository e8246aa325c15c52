import ChannelVocabulary
import CurlHTTP

/// Allegro's bearer token with the OAuth refresh-token grant: refreshes when no token is held yet
/// and once after a `401`; concurrent callers share one refresh (Allegro rotates refresh tokens).
/// Before refreshing it takes up tokens stored by another process since (see `storedTokens`): their
/// access token if it is not the one just refused, else their refresh token.
actor AllegroAuthorizer: RequestAuthorizer {
    private let tokenEndpoint: ChannelTransport
    private let onRefresh: (@Sendable (String, String) -> Void)?
    private let storedTokens: (@Sendable () -> (accessToken: String?, refreshToken: String)?)?
    private var accessToken: String?
    private var refreshToken: String
    private var refreshing: Task<Bool, Never>?

    init(configuration: AllegroConfiguration, client: CurlHTTPClient) {
        tokenEndpoint = ChannelTransport(
            client: client, baseURL: configuration.tokenURL,
            authorizer: HeaderAuthorizer.basic(user: configuration.clientID, password: configuration.clientSecret)
        )
        onRefresh = configuration.onTokensRefreshed
        storedTokens = configuration.storedTokens
        accessToken = configuration.accessToken
        refreshToken = configuration.refreshToken
    }

    func authorize(_ request: inout HTTPRequest) async throws(ChannelError) {
        if accessToken == nil, await !refresh() {
            throw ChannelError(.permanent, "Allegro token refresh failed")
        }
        request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(accessToken ?? "")")
    }

    func refreshAfterUnauthorized() async -> Bool {
        await refresh()
    }

    private func refresh() async -> Bool {
        if let refreshing { return await refreshing.value }
        let task = Task { await self.requestTokens() }
        refreshing = task
        defer { refreshing = nil }
        return await task.value
    }

    private func requestTokens() async -> Bool {
        if let stored = storedTokens?() {
            refreshToken = stored.refreshToken
            if let access = stored.accessToken, access != accessToken {
                accessToken = access
                return true
            }
        }
        let form = "grant_type=refresh_token&refresh_token=" + ChannelTransport.escape(refreshToken)
        guard let response = try? await tokenEndpoint.send(.post, "", rawBody: Array(form.utf8), contentType: "application/x-www-form-urlencoded"),
            response.status == 200, let json = try? JSON.parse(response.body), let access = json["access_token"].string
        else { return false }
        accessToken = access
        refreshToken = json["refresh_token"].string ?? refreshToken
        onRefresh?(access, refreshToken)
        return true
    }
}
