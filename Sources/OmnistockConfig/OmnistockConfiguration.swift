/// Everything `config/omnistock.toml` says (DESIGN.md §8), with defaults filled in and secrets resolved.
public struct OmnistockConfiguration: Sendable, Equatable {
    /// Where the embedded PostgreSQL cluster and other state live.
    public var dataDirectory: String = "/var/lib/omnistock"
    public var database = Database()
    public var server = Server()
    public var sync = Sync()
    public var logging = Logging()
    public var locations: [Location] = []
    public var channels: [Channel] = []
    /// How far each location is from a store or region (`distances[origin][location]`, any unit; smaller is
    /// nearer): `nearest` sourcing ranks locations from an order's pickup store or destination, pickup orders take
    /// what their store lacks from the nearest location, and reconcile proposes transfers from the nearest one.
    public var distances: [String: [String: Int]] = [:]

    public init() {}

    public struct Database: Sendable, Equatable {
        /// libpq URL; nil starts the embedded cluster under `data_dir`.
        public var url: String?
        /// PostgreSQL itself, when `url` goes through a transaction-pooling PgBouncer: the leader and replica
        /// advisory locks, LISTEN and the migration lock need a session of their own, and no statement is
        /// prepared through the pooler.
        public var directURL: String?
        /// Connections in the pool.
        public var poolSize = 10
        /// Seconds between checks that the embedded cluster (if any) still runs; it is started again when not.
        public var embeddedCheckInterval = 5.0
    }

    public struct Server: Sendable, Equatable {
        /// `host:port` the admin API and webhooks listen on.
        public var listen = "127.0.0.1:8080"
        public var tokens: [Token] = []
        /// Largest request body accepted, in bytes.
        public var maxBodyBytes = 1 << 20
        /// Requests per second allowed per token and per webhook channel.
        public var rateLimit = RateLimit(perSecond: 200)
        /// Seconds a request may take before it is answered 503.
        public var requestTimeout = 30.0
        /// Most inbound connections served at once; nil: as many as the open-file limit leaves after the
        /// database pool and channel connections are provided for. Further connections wait to be accepted.
        public var maxConnections: Int?

        /// The host part of `listen`.
        public var host: String { String(listen[..<(listen.lastIndex(of: ":") ?? listen.endIndex)]) }
        /// The port part of `listen`.
        public var port: Int { Int(listen[listen.index(after: listen.lastIndex(of: ":") ?? listen.startIndex)...]) ?? 8080 }
    }

    /// An admin API bearer token and what it may do.
    public struct Token: Sendable, Equatable {
        public enum Scope: String, Sendable { case read, write }
        public var token: Secret
        public var scope: Scope
    }

    public struct Sync: Sendable, Equatable {
        /// Seconds between scheduled reconciles of each channel.
        public var reconcileInterval = 900.0
        /// Seconds between sweeps for expired reservations.
        public var expiryInterval = 15.0
        /// Seconds between safety scans of the outbox when no notification arrives.
        public var safetyScanInterval = 30.0
        /// Seconds in-flight work may take to finish on shutdown.
        public var shutdownGrace = 10.0
        /// Longest backoff between retries of one target, in seconds.
        public var maxBackoff = 300.0
        /// Consecutive failures that open a channel's circuit.
        public var circuitFailureThreshold = 5
        /// Seconds an open circuit waits before a trial request.
        public var circuitCooldown = 30.0
        /// Default expiry of reservations created from orders with no expiry, in seconds (0 = none).
        public var orderHoldSeconds = 0.0
        /// Expiry of pickup reservations, in seconds.
        public var pickupHoldSeconds = 7.0 * 86_400
        /// Attempts to apply a webhook event before it is set aside (`dead`) for an operator.
        public var inboxMaxAttempts = 12
    }

    public struct Logging: Sendable, Equatable {
        /// `text` or `json`.
        public var format = "text"
        /// trace, debug, info, notice, warning, error, critical.
        public var level = "info"
    }

    /// A warehouse or store.
    public struct Location: Sendable, Equatable {
        public var code: String
        public var name: String
        /// `warehouse` or `store`.
        public var kind: String
        public var shipsOnline: Bool
        public var clickAndCollect: Bool
        public var pickupBuffer: Int
        public var timezone: String
    }

    /// A sales channel and how to reach it.
    public struct Channel: Sendable, Equatable {
        public var code: String
        /// `shopify`, `woocommerce`, `allegro` or `omnistock-json`.
        public var kind: String
        public var baseURL: String
        public var token: Secret?
        public var webhookSecrets: [Secret]
        /// nil: every `ships_online` location.
        public var locations: [String]?
        public var buffer: Int
        public var share: Int
        public var max: Int?
        public var minVisible: Int
        /// Levels per request; nil: the largest batch the channel's API takes.
        public var batchSize: Int?
        public var rateLimit: RateLimit?
        public var concurrency: Int
        /// Seconds per request.
        public var timeout: Double
        /// CA bundle for TLS verification (tests use a private CA).
        public var caFile: String?
        /// Shopify Admin API version.
        public var apiVersion: String?
        /// Shopify: Omnistock location code → Shopify location id.
        public var locationIDs: [String: String]
        /// WooCommerce consumer key and secret.
        public var consumerKey: Secret?
        public var consumerSecret: Secret?
        /// WooCommerce products with stock management off: `enable` (the first push turns it on) or `flag`
        /// (left as they are, each reported as an open `unmanaged_listing` conflict).
        public var unmanaged: String
        /// Allegro OAuth client and refresh token.
        public var clientID: String?
        public var clientSecret: Secret?
        public var refreshToken: Secret?
        public var tokenURL: String?
        /// Whether the channel gets one value per location (Shopify, store endpoints) or one pooled value.
        public var modelsLocations: Bool
        /// How order lines that name no location are sourced: `priority` (the order of `locations`),
        /// `nearest` (the `[distances]` table) or `most_available`.
        public var sourcing = "priority"
        /// What listing discovery compares: `sku` (the channel item's SKU) or `barcode` (its GTIN/EAN against
        /// the SKU's `barcode`; only kinds whose adapter declares `matchesBarcodes`).
        public var match = "sku"
    }
}
