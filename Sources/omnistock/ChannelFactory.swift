import ChannelVocabulary
import Channels
import CurlHTTP
import Logging
import OmnistockConfig
import Support
import Sync

/// Builds the channel adapters and their lanes from the configuration.
enum ChannelFactory {
    /// One adapter per configured channel, each with its own HTTP client (its own connection cache,
    /// timeouts and CA bundle); rotated OAuth tokens are kept in `credentials`.
    static func endpoints(_ configuration: OmnistockConfiguration, credentials: ChannelCredentialStore) throws -> [ChannelEndpoint] {
        try configuration.channels.map { channel in
            let client = CurlHTTPClient(
                configuration: HTTPClientConfiguration(
                    connectTimeout: .seconds(min(10, channel.timeout)), totalTimeout: .milliseconds(Int(channel.timeout * 1000)),
                    caFile: channel.caFile, userAgent: "omnistock/1.0"))
            let sync = configuration.sync
            let lane = LaneSettings(
                batchSize: channel.batchSize, concurrency: channel.concurrency, rateLimit: channel.rateLimit?.perSecond,
                backoff: Backoff(base: 0.5, cap: sync.maxBackoff), circuitFailureThreshold: sync.circuitFailureThreshold,
                circuitCooldown: sync.circuitCooldown, safetyScanInterval: sync.safetyScanInterval)
            return ChannelEndpoint(
                code: channel.code, channel: try adapter(channel, client: client, credentials: credentials), lane: lane,
                match: ListingMatch(rawValue: channel.match) ?? .sku)
        }
    }

    static func adapter(
        _ channel: OmnistockConfiguration.Channel, client: CurlHTTPClient, credentials: ChannelCredentialStore
    ) throws -> any Channel {
        let secrets = channel.webhookSecrets.map(\.value)
        switch channel.kind {
        case "shopify":
            return ShopifyChannel(
                configuration: ShopifyConfiguration(
                    shopURL: channel.baseURL, accessToken: try required(channel.token, "token", channel),
                    apiVersion: channel.apiVersion ?? ShopifyConfiguration.defaultAPIVersion, webhookSecrets: secrets,
                    locations: channel.locationIDs, batchSize: channel.batchSize ?? ShopifyConfiguration.largestBatch),
                client: client)
        case "woocommerce":
            return WooCommerceChannel(
                configuration: WooCommerceConfiguration(
                    siteURL: channel.baseURL, consumerKey: try required(channel.consumerKey, "consumer_key", channel),
                    consumerSecret: try required(channel.consumerSecret, "consumer_secret", channel), webhookSecrets: secrets,
                    batchSize: channel.batchSize ?? WooCommerceConfiguration.largestBatch,
                    unmanaged: UntrackedStockPolicy(rawValue: channel.unmanaged) ?? .enable),
                client: client)
        case "allegro":
            let code = channel.code
            let configured = try required(channel.refreshToken, "refresh_token", channel)
            let logger = Logger(label: "omnistock.channels")
            return AllegroChannel(
                configuration: AllegroConfiguration(
                    apiURL: channel.baseURL, tokenURL: channel.tokenURL ?? "https://allegro.pl/auth/oauth/token",
                    clientID: try required(channel.clientID.map(Secret.init), "client_id", channel),
                    clientSecret: try required(channel.clientSecret, "client_secret", channel),
                    accessToken: channel.token?.value, refreshToken: configured,
                    onTokensRefreshed: { access, refresh in
                        do {
                            try credentials.save(.init(accessToken: access, refreshToken: refresh), channel: code, configuredRefreshToken: configured)
                        } catch {
                            // The old refresh token no longer works: without the new one a restart cannot authenticate.
                            logger.error("could not store the rotated Allegro tokens", metadata: ["channel": "\(code)", "error": "\(error)"])
                        }
                    },
                    storedTokens: {
                        let stored = try? credentials.latest(channel: code, configuredRefreshToken: configured)
                        return stored.map { ($0.accessToken, $0.refreshToken) }
                    }),
                client: client)
        case "prestashop":
            return PrestaShopChannel(
                configuration: PrestaShopConfiguration(
                    shopURL: channel.baseURL, key: try required(channel.token, "token", channel),
                    unmanaged: UntrackedStockPolicy(rawValue: channel.unmanaged) ?? .enable,
                    cancelledStates: channel.cancelledStates.map(Set.init) ?? PrestaShopConfiguration.installerCancelledStates),
                client: client)
        case "erli":
            return ErliChannel(
                configuration: ErliConfiguration(
                    apiURL: channel.baseURL, apiKey: try required(channel.token, "token", channel),
                    batchSize: channel.batchSize ?? ErliConfiguration.largestBatch),
                client: client)
        case "mirakl":
            return MiraklChannel(
                configuration: MiraklConfiguration(
                    instanceURL: channel.baseURL, apiKey: try required(channel.token, "token", channel), shopID: channel.shopID,
                    batchSize: channel.batchSize ?? MiraklConfiguration.largestBatch),
                client: client)
        case "emag":
            return EmagChannel(
                configuration: EmagConfiguration(
                    apiURL: channel.baseURL, username: try required(channel.username.map(Secret.init), "username", channel),
                    password: try required(channel.password, "password", channel),
                    batchSize: channel.batchSize ?? EmagConfiguration.largestBatch),
                client: client)
        default:
            return OmnistockJSONChannel(
                configuration: OmnistockJSONConfiguration(
                    baseURL: channel.baseURL, token: try required(channel.token, "token", channel), webhookSecrets: secrets,
                    batchSize: channel.batchSize ?? 100),
                client: client)
        }
    }

    private static func required(_ secret: Secret?, _ key: String, _ channel: OmnistockConfiguration.Channel) throws -> String {
        guard let secret, !secret.value.isEmpty else {
            throw CommandFailure.usage("config: channel \(channel.code) (\(channel.kind)) needs \(key)")
        }
        return secret.value
    }
}
