import ChannelVocabulary
import Foundation
import TOMLKit

extension OmnistockConfiguration {
    /// The configuration in force: the file at `path` (or none), then environment overrides
    /// (`OMNISTOCK_DATABASE_URL`, `OMNISTOCK_DATABASE_DIRECT_URL`). Channel kinds are checked against `kinds`, what the adapters declare
    /// (`ChannelAdapters.kinds`). Throws a `ConfigError` naming the first bad key.
    package static func load(
        path: String?, environment: [String: String] = ProcessInfo.processInfo.environment, kinds: [ChannelKind]
    ) throws -> Self {
        var text = ""
        if let path {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw ConfigError(key: "", message: "cannot read \(path)")
            }
            text = String(decoding: contents, as: UTF8.self)
        }
        var configuration = try parse(text, environment: environment, kinds: kinds)
        if let url = environment["OMNISTOCK_DATABASE_URL"], !url.isEmpty {
            configuration.database.url = url
        }
        if let url = environment["OMNISTOCK_DATABASE_DIRECT_URL"], !url.isEmpty {
            configuration.database.directURL = url
        }
        return configuration
    }

    /// Parses TOML text; `env:NAME` secrets are looked up in `environment`; a channel's `kind` must be one of `kinds`,
    /// and what it asks of the kind (`match = "barcode"`), the kind's capabilities must allow.
    package static func parse(_ text: String, environment: [String: String] = [:], kinds: [ChannelKind]) throws -> Self {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(key: "", message: "invalid TOML at line \(error.source.begin.line): \(error.description)")
        }
        var root = TOMLReader(table: table, path: "", environment: environment)
        var configuration = OmnistockConfiguration()
        configuration.dataDirectory = try root.string("data_dir", default: configuration.dataDirectory)
        if var database = try root.table("database") {
            configuration.database.url = try database.string("url")
            configuration.database.directURL = try database.string("direct_url")
            configuration.database.poolSize = try database.int("pool_size", default: 10, range: 1...200)
            configuration.database.embeddedCheckInterval = try database.duration("embedded_check_interval", default: "5s", atLeast: 0.1)
            configuration.database.groupCommitWindow = try database.duration(
                "group_commit_window", default: "1ms", atMost: 0.1, why: "every write may wait that long")
            configuration.database.groupCommitMax = try database.int("group_commit_max", default: 64, range: 1...1000)
            try database.rejectUnknownKeys()
        }
        if var server = try root.table("server") {
            configuration.server = try readServer(&server)
        }
        if var retention = try root.table("retention") {
            configuration.retention = try readRetention(&retention)
        }
        if var sync = try root.table("sync") {
            configuration.sync = try readSync(&sync)
        }
        if var logging = try root.table("logging") {
            configuration.logging.format = try logging.oneOf("format", ["text", "json"], default: "text")
            configuration.logging.level = try logging.oneOf(
                "level", ["trace", "debug", "info", "notice", "warning", "error", "critical"], default: "info")
            try logging.rejectUnknownKeys()
        }
        if var distances = try root.table("distances") {
            for store in distances.table.keys.sorted() {
                guard var row = try distances.table(store) else { continue }
                var table: [String: Int] = [:]
                for location in row.table.keys.sorted() {
                    table[location] = try row.int(location, range: 0...1_000_000)
                }
                try row.rejectUnknownKeys()
                configuration.distances[store] = table
            }
            try distances.rejectUnknownKeys()
        }
        var locations = try root.tables("locations")
        configuration.locations = try locations.indices.map { try readLocation(&locations[$0]) }
        var channels = try root.tables("channels")
        configuration.channels = try channels.indices.map { try readChannel(&channels[$0], kinds: kinds) }
        try root.rejectUnknownKeys()
        try configuration.validateReferences()
        return configuration
    }

    private static func readServer(_ reader: inout TOMLReader) throws -> Server {
        var server = Server()
        server.listen = try reader.string("listen", default: server.listen)
        guard let colon = server.listen.lastIndex(of: ":"), let port = Int(server.listen[server.listen.index(after: colon)...]),
            (0...65_535).contains(port)
        else {
            throw ConfigError(key: reader.key("listen"), message: "expected host:port, not \"\(server.listen)\"")
        }
        var tokens = try reader.tables("tokens")
        server.tokens = try tokens.indices.map { index in
            let token = try tokens[index].secret("token")
            guard let token else { throw ConfigError(key: tokens[index].key("token"), message: "is required") }
            let scope = try tokens[index].oneOf("scope", ["read", "write"])
            try tokens[index].rejectUnknownKeys()
            return Token(token: token, scope: Token.Scope(rawValue: scope)!)
        }
        server.maxBodyBytes = try reader.int("max_body_bytes", default: server.maxBodyBytes, range: 1024...(64 << 20))
        if let rate = try reader.string("rate_limit") {
            guard let parsed = RateLimit(rate) else {
                throw ConfigError(key: reader.key("rate_limit"), message: "expected a rate such as 100/s, not \"\(rate)\"")
            }
            server.rateLimit = parsed
        }
        server.requestTimeout = try reader.duration("request_timeout", default: "30s", atLeast: 0.1)
        server.maxConnections = try reader.int("max_connections", range: 1...1_000_000)
        try reader.rejectUnknownKeys()
        return server
    }

    private static func readRetention(_ reader: inout TOMLReader) throws -> Retention {
        var retention = Retention()
        retention.inbox = try reader.duration(
            "inbox", default: "30d", atLeast: 2 * 86_400, why: "processed events are the record that stops a redelivery")
        retention.outboxHistory = try reader.duration("outbox_history", default: "7d")
        retention.reconcileRuns = try reader.duration("reconcile_runs", default: "90d")
        retention.conflicts = try reader.duration("conflicts", default: "90d")
        retention.movements = try reader.duration(
            "movements", default: "400d", atLeast: 30 * 86_400, why: "archived movements no longer stop a retried request")
        retention.checkpointInterval = try reader.duration("checkpoint_interval", default: "1d", atLeast: 60)
        retention.interval = try reader.duration("interval", default: "1h", atLeast: 60)
        try reader.rejectUnknownKeys()
        return retention
    }

    private static func readSync(_ reader: inout TOMLReader) throws -> Sync {
        var sync = Sync()
        sync.reconcileInterval = try reader.duration("reconcile_interval", default: "15m", atLeast: 1)
        sync.orderPollInterval = try reader.duration(
            "order_poll_interval", default: "30s", atLeast: 1, why: "a vendor would answer 429 to a tighter loop")
        sync.holdRefreshInterval = try reader.duration("hold_refresh_interval", default: "30s", atLeast: 1)
        sync.expiryInterval = try reader.duration("expiry_interval", default: "15s", atLeast: 0.1)
        sync.safetyScanInterval = try reader.duration("safety_scan_interval", default: "30s", atLeast: 0.1)
        sync.shutdownGrace = try reader.duration("shutdown_grace", default: "10s")
        sync.maxBackoff = try reader.duration("max_backoff", default: "5m")
        sync.circuitFailureThreshold = try reader.int("circuit_failure_threshold", default: 5, range: 1...1000)
        sync.circuitCooldown = try reader.duration("circuit_cooldown", default: "30s")
        sync.orderHoldSeconds = try reader.duration("order_hold", default: "0s")
        sync.pickupHoldSeconds = try reader.duration("pickup_hold", default: "7d")
        sync.inboxMaxAttempts = try reader.int("inbox_max_attempts", default: 12, range: 1...1000)
        try reader.rejectUnknownKeys()
        return sync
    }

    private static func readLocation(_ reader: inout TOMLReader) throws -> Location {
        let kind = try reader.oneOf("kind", ["warehouse", "store"])
        let location = Location(
            code: try reader.requiredString("code"),
            name: try reader.string("name", default: ""),
            kind: kind,
            shipsOnline: try reader.bool("ships_online", default: kind == "warehouse"),
            clickAndCollect: try reader.bool("click_and_collect", default: false),
            pickupBuffer: try reader.int("pickup_buffer", default: 0, range: 0...1_000_000),
            timezone: try reader.string("timezone", default: "UTC"))
        if location.clickAndCollect && kind != "store" {
            throw ConfigError(key: reader.key("click_and_collect"), message: "only stores offer click-and-collect")
        }
        try reader.rejectUnknownKeys()
        return location
    }

    private static func readChannel(_ reader: inout TOMLReader, kinds: [ChannelKind]) throws -> Channel {
        let kind = try reader.oneOf("kind", kinds.map(\.name))
        let capabilities = kinds.first { $0.name == kind }?.capabilities ?? ChannelCapabilities()
        let code = try reader.requiredString("code")
        guard code.range(of: "^[A-Za-z0-9_.-]{1,64}$", options: .regularExpression) != nil else {
            throw ConfigError(key: reader.key("code"), message: "use 1 to 64 letters, digits, '.', '_' or '-'")
        }
        let baseURL = try reader.requiredString("base_url")
        guard baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://") else {
            throw ConfigError(key: reader.key("base_url"), message: "expected an http:// or https:// URL")
        }
        var rateLimit: RateLimit?
        if let text = try reader.string("rate_limit") {
            guard let parsed = RateLimit(text) else {
                throw ConfigError(key: reader.key("rate_limit"), message: "expected a rate such as 2/s, not \"\(text)\"")
            }
            rateLimit = parsed
        }
        var locationIDs: [String: String] = [:]
        if var ids = try reader.table("location_ids") {
            for key in ids.table.keys.sorted() { locationIDs[key] = try ids.requiredString(key) }
        }
        var channel = Channel(
            code: code, kind: kind, baseURL: baseURL,
            token: try reader.secret("token"),
            webhookSecrets: try reader.secrets("webhook_secrets"),
            locations: try reader.strings("locations"),
            buffer: try reader.int("buffer", default: 0, range: 0...1_000_000),
            share: try reader.int("share", default: 100, range: 0...100),
            max: try reader.int("max", range: 0...1_000_000_000),
            minVisible: try reader.int("min_visible", default: 0, range: 0...1_000_000),
            batchSize: try reader.int("batch_size", range: 1...1000),
            rateLimit: rateLimit,
            concurrency: try reader.int("concurrency", default: 2, range: 1...64),
            timeout: try reader.duration("timeout", default: "30s", atLeast: 0.1, why: "libcurl takes 0 as no timeout at all"),
            caFile: try reader.string("ca_file"),
            apiVersion: try reader.string("api_version"),
            locationIDs: locationIDs,
            consumerKey: try reader.secret("consumer_key"),
            consumerSecret: try reader.secret("consumer_secret"),
            unmanaged: try reader.oneOf("unmanaged", ["enable", "flag"], default: "enable"),
            clientID: try reader.string("client_id"),
            clientSecret: try reader.secret("client_secret"),
            refreshToken: try reader.secret("refresh_token"),
            tokenURL: try reader.string("token_url"),
            modelsLocations: try reader.bool("per_location", default: capabilities.modelsLocations))
        channel.sourcing = try reader.oneOf("sourcing", ["priority", "nearest", "most_available"], default: "priority")
        channel.match = try reader.oneOf("match", ["sku", "barcode"], default: "sku")
        channel.username = try reader.string("username")
        channel.password = try reader.secret("password")
        if channel.match == "barcode" && !capabilities.matchesBarcodes {
            throw ConfigError(key: reader.key("match"), message: "\(kind) channels expose no barcode to match on; use match = \"sku\"")
        }
        if try reader.oneOf("buffer_mode", ["static", "lag_aware"], default: "static") == "lag_aware" {
            channel.lagAware = LagAware(
                window: try reader.duration("lag_window", default: "15m", atLeast: 1, atMost: 7 * 86_400),
                cap: try reader.int("lag_cap", default: 5, range: 0...1_000_000),
                lowStock: try reader.int("low_stock", default: 10, range: 0...1_000_000),
                visibilityDelay: try reader.duration("visibility_delay", default: "0s", atMost: 86_400))
        } else {
            for key in ["lag_window", "lag_cap", "low_stock", "visibility_delay"] where reader.has(key) {
                throw ConfigError(key: reader.key(key), message: "applies only with buffer_mode = \"lag_aware\"")
            }
        }
        channel.lastUnits = try reader.int("last_units", range: 0...1_000_000)
        channel.priority = try reader.int("priority", default: 0, range: -1000...1000)
        channel.shopID = try reader.string("shop_id")
        if let shop = channel.shopID, UInt64(shop) == nil {
            throw ConfigError(key: reader.key("shop_id"), message: "expected the shop's numeric id, not \"\(shop)\"")
        }
        if reader.has("cancelled_states") {
            guard kind == "prestashop" else {
                throw ConfigError(key: reader.key("cancelled_states"), message: "applies only to prestashop channels")
            }
            let states = try reader.ints("cancelled_states", range: 1...4_294_967_295) ?? []
            // An empty list would import every cancelled order as a sale for good.
            guard !states.isEmpty else {
                throw ConfigError(key: reader.key("cancelled_states"), message: "list at least one order state id")
            }
            channel.cancelledStates = states
        }
        try reader.rejectUnknownKeys()
        return channel
    }

    /// Checks names that refer to each other: unique codes, channel locations that exist.
    func validateReferences() throws {
        var seen = Set<String>()
        for (index, location) in locations.enumerated() where !seen.insert(location.code).inserted {
            throw ConfigError(key: "locations[\(index)].code", message: "duplicate location \(location.code)")
        }
        // An origin is a store or a region an order may name as its destination; what it measures to are locations.
        for (origin, row) in distances.sorted(by: { $0.key < $1.key }) {
            for name in row.keys.sorted() where !seen.contains(name) {
                throw ConfigError(key: "distances.\(origin).\(name)", message: "unknown location \(name)")
            }
        }
        var channelCodes = Set<String>()
        for (index, channel) in channels.enumerated() {
            guard channelCodes.insert(channel.code).inserted else {
                throw ConfigError(key: "channels[\(index)].code", message: "duplicate channel \(channel.code)")
            }
            for (position, location) in (channel.locations ?? []).enumerated() where !seen.contains(location) {
                throw ConfigError(key: "channels[\(index)].locations[\(position)]", message: "unknown location \(location)")
            }
        }
    }
}
