/// Everything `config/omnistock.toml` says (DESIGN.md §8), with defaults filled in and secrets resolved.
package struct OmnistockConfiguration: Sendable, Equatable {
    /// Where the embedded PostgreSQL cluster and other state live.
    package var dataDirectory: String = "/var/lib/omnistock"
    package var database = Database()
    package var server = Server()
    package var sync = Sync()
    package var retention = Retention()
    package var logging = Logging()
    package var locations: [Location] = []
    package var channels: [Channel] = []
    /// How far each location is from a store or region (`distances[origin][location]`, any unit; smaller is
    /// nearer): `nearest` sourcing ranks locations from an order's pickup store or destination, pickup orders take
    /// what their store lacks from the nearest location, and reconcile proposes transfers from the nearest one.
    package var distances: [String: [String: Int]] = [:]

    package init() {}

    package struct Database: Sendable, Equatable {
        /// libpq URL; nil starts the embedded cluster under `data_dir`.
        package var url: String?
        /// PostgreSQL itself, when `url` goes through a transaction-pooling PgBouncer: the leader and replica
        /// advisory locks, LISTEN and the migration lock need a session of their own, and no statement is
        /// prepared through the pooler.
        package var directURL: String?
        /// Connections in the pool.
        package var poolSize = 10
        /// Seconds between checks that the embedded cluster (if any) still runs; it is started again when not.
        package var embeddedCheckInterval = 5.0
        /// Seconds a group commit gathers concurrent ledger writes (reservations, releases and commits, movements) or
        /// webhooks while another batch of the same kind is being written; 0 writes each alone.
        package var groupCommitWindow = 0.001
        /// The most requests written in one group commit.
        package var groupCommitMax = 64
    }

    package struct Server: Sendable, Equatable {
        /// `host:port` the admin API and webhooks listen on.
        package var listen = "127.0.0.1:8080"
        package var tokens: [Token] = []
        /// Largest request body accepted, in bytes.
        package var maxBodyBytes = 1 << 20
        /// Requests per second allowed per token and per webhook channel.
        package var rateLimit = RateLimit(perSecond: 200)
        /// Seconds a request may take before it is answered 503.
        package var requestTimeout = 30.0
        /// Most inbound connections served at once; nil: as many as the open-file limit leaves after the
        /// database pool and channel connections are provided for. Further connections wait to be accepted.
        package var maxConnections: Int?

        /// The host part of `listen`.
        package var host: String { String(listen[..<(listen.lastIndex(of: ":") ?? listen.endIndex)]) }
        /// The port part of `listen`.
        package var port: Int { Int(listen[listen.index(after: listen.lastIndex(of: ":") ?? listen.startIndex)...]) ?? 8080 }
    }

    /// An admin API bearer token and what it may do.
    package struct Token: Sendable, Equatable {
        package enum Scope: String, Sendable { case read, write }
        package var token: Secret
        package var scope: Scope
    }

    /// How long finished records are kept, in seconds (`[retention]`); see `RetentionPolicy` in the ledger.
    package struct Retention: Sendable, Equatable {
        package var inbox = 30 * 86_400.0
        package var outboxHistory = 7 * 86_400.0
        package var reconcileRuns = 90 * 86_400.0
        package var conflicts = 90 * 86_400.0
        package var movements = 400 * 86_400.0
        package var checkpointInterval = 86_400.0
        /// Seconds between retention runs on the leader.
        package var interval = 3_600.0
    }

    package struct Sync: Sendable, Equatable {
        /// Seconds between scheduled reconciles of each channel.
        package var reconcileInterval = 900.0
        /// Seconds between reads of the orders of channels without reliable webhooks (Allegro, the marketplaces).
        package var orderPollInterval = 30.0
        /// Seconds between looks for lag-aware holds that ran out (pushed again with the units they hid).
        package var holdRefreshInterval = 30.0
        /// Seconds between sweeps for expired reservations.
        package var expiryInterval = 15.0
        /// Seconds between safety scans of the outbox when no notification arrives.
        package var safetyScanInterval = 30.0
        /// Seconds in-flight work may take to finish on shutdown.
        package var shutdownGrace = 10.0
        /// Longest backoff between retries of one target, in seconds.
        package var maxBackoff = 300.0
        /// Consecutive failures that open a channel's circuit.
        package var circuitFailureThreshold = 5
        /// Seconds an open circuit waits before a trial request.
        package var circuitCooldown = 30.0
        /// Default expiry of reservations created from orders with no expiry, in seconds (0 = none).
        package var orderHoldSeconds = 0.0
        /// Expiry of pickup reservations, in seconds.
        package var pickupHoldSeconds = 7.0 * 86_400
        /// Attempts to apply a webhook event before it is set aside (`dead`) for an operator.
        package var inboxMaxAttempts = 12
    }

    package struct Logging: Sendable, Equatable {
        /// `text` or `json`.
        package var format = "text"
        /// trace, debug, info, notice, warning, error, critical.
        package var level = "info"
    }

    /// A warehouse or store.
    package struct Location: Sendable, Equatable {
        package var code: String
        package var name: String
        /// `warehouse` or `store`.
        package var kind: String
        package var shipsOnline: Bool
        package var clickAndCollect: Bool
        package var pickupBuffer: Int
        package var timezone: String
    }

    /// A sales channel and how to reach it.
    package struct Channel: Sendable, Equatable {
        package var code: String
        /// `shopify`, `woocommerce`, `allegro`, `mirakl` or `omnistock-json`.
        package var kind: String
        package var baseURL: String
        package var token: Secret?
        package var webhookSecrets: [Secret]
        /// nil: every `ships_online` location.
        package var locations: [String]?
        package var buffer: Int
        package var share: Int
        package var max: Int?
        package var minVisible: Int
        /// Levels per request; nil: the largest batch the channel's API takes.
        package var batchSize: Int?
        package var rateLimit: RateLimit?
        package var concurrency: Int
        /// Seconds per request.
        package var timeout: Double
        /// CA bundle for TLS verification (tests use a private CA).
        package var caFile: String?
        /// Shopify Admin API version.
        package var apiVersion: String?
        /// Shopify: Omnistock location code → Shopify location id.
        package var locationIDs: [String: String]
        /// WooCommerce consumer key and secret.
        package var consumerKey: Secret?
        package var consumerSecret: Secret?
        /// WooCommerce products with stock management off: `enable` (the first push turns it on) or `flag`
        /// (left as they are, each reported as an open `unmanaged_listing` conflict).
        package var unmanaged: String
        /// Allegro OAuth client and refresh token.
        package var clientID: String?
        package var clientSecret: Secret?
        package var refreshToken: Secret?
        package var tokenURL: String?
        /// Whether the channel gets one value per location (Shopify, store endpoints) or one pooled value.
        package var modelsLocations: Bool
        /// How order lines that name no location are sourced: `priority` (the order of `locations`),
        /// `nearest` (the `[distances]` table) or `most_available`.
        package var sourcing = "priority"
        /// What listing discovery compares: `sku` (the channel item's SKU) or `barcode` (its GTIN/EAN against
        /// the SKU's `barcode`; only kinds whose adapter declares `matchesBarcodes`).
        package var match = "sku"
        /// Mirakl: the shop to act on when the API key's user has several (`shop_id`); nil: the user's default shop.
        package var shopID: String? = nil
        /// PrestaShop: the `order_states` ids that cancel an order (`cancelled_states`); nil: the installer's Canceled,
        /// Refund and Payment error.
        package var cancelledStates: [Int]? = nil
        /// eMAG: the API user's username and password (HTTP Basic).
        package var username: String?
        package var password: Secret?
        /// `lag_aware` holds back units of SKUs running low while changes travel (`lag_window`, `lag_cap`,
        /// `low_stock`, `visibility_delay`); nil: `static`, only `buffer`.
        package var lagAware: LagAware? = nil
        /// When a SKU's pool has this many units or fewer, only the highest-`priority` channels sharing the
        /// stock keep showing it; nil: never cut.
        package var lastUnits: Int? = nil
        /// Which channels keep showing the last units (the highest wins).
        package var priority = 0
    }

    /// The settings of `buffer_mode = "lag_aware"` (README "What a channel shows").
    package struct LagAware: Sendable, Equatable {
        /// Seconds of recent demand the sales velocity is measured over.
        package var window: Double
        /// The most units held back for one SKU.
        package var cap: Int
        /// SKUs with more units than this are not held back.
        package var lowStock: Int
        /// Seconds the channel takes to show an accepted value, added to the measured propagation.
        package var visibilityDelay: Double
    }
}
