import Channels
import Foundation
import OmnistockConfig
import Testing

@Suite struct ConfigurationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let exampleEnvironment = [
        "OMNISTOCK_ADMIN_TOKEN": "a", "OMNISTOCK_READ_TOKEN": "r", "SHOPIFY_TOKEN": "s", "SHOPIFY_WEBHOOK_SECRET": "w",
        "WOO_CONSUMER_KEY": "k", "WOO_CONSUMER_SECRET": "c", "WOO_WEBHOOK_SECRET": "x", "ALLEGRO_CLIENT_SECRET": "y",
        "ALLEGRO_REFRESH_TOKEN": "z", "ERLI_API_KEY": "e", "POS_KRAKOW_TOKEN": "p", "POS_KRAKOW_WEBHOOK_SECRET": "whsec_cA==",
        "EMAG_RO_PASSWORD": "e",
    ]

    @Test func theDocumentedExampleParsesWithItsDefaults() throws {
        let path = Self.repository.appendingPathComponent("config/omnistock.example.toml").path
        let configuration = try OmnistockConfiguration.load(path: path, environment: Self.exampleEnvironment, kinds: ChannelAdapters.kinds)
        var defaults = OmnistockConfiguration()
        defaults.database.url = configuration.database.url
        #expect(configuration.sync == defaults.sync, "the example documents the defaults")
        #expect(configuration.retention == defaults.retention)
        #expect(configuration.server.listen == defaults.server.listen)
        #expect(configuration.server.maxBodyBytes == defaults.server.maxBodyBytes)
        #expect(configuration.server.tokens.map(\.scope) == [.write, .read])
        #expect(configuration.channels.map(\.kind) == ["shopify", "woocommerce", "allegro", "erli", "emag", "omnistock-json"])
        #expect(configuration.channels[4].username == "api-user@example.com" && configuration.channels[4].password?.value == "e")
        #expect(configuration.channels[0].locationIDs["store-krakow"] == "gid://shopify/Location/2")
        #expect(configuration.channels[2].modelsLocations == false)
        #expect(configuration.channels.map(\.match) == ["sku", "barcode", "sku", "sku", "sku", "sku"], "match defaults to sku")
        #expect(configuration.locations[1].clickAndCollect)
        #expect(configuration.channels.map { $0.lagAware != nil } == [false, false, false, true, false, false])
        #expect(configuration.channels[3].lagAware?.visibilityDelay == 300)
        #expect(configuration.channels.map(\.lastUnits) == [1, nil, nil, 1, nil, nil])
        #expect(configuration.channels.map(\.priority) == [10, 0, 0, 0, 0, 0])
    }

    @Test func lagAwareBuffersReadTheirSettingsAndDefaults() throws {
        let channel = "[[channels]]\ncode = \"m\"\nkind = \"omnistock-json\"\nbase_url = \"http://x\"\n"
        let configured = try OmnistockConfiguration.parse(
            channel + "buffer_mode = \"lag_aware\"\nlag_window = \"10m\"\nlag_cap = 3\nlow_stock = 4\nvisibility_delay = \"2m\"",
            environment: [:], kinds: ChannelAdapters.kinds
        ).channels[0]
        #expect(configured.lagAware?.window == 600)
        #expect(configured.lagAware?.cap == 3)
        #expect(configured.lagAware?.lowStock == 4)
        #expect(configured.lagAware?.visibilityDelay == 120)
        let defaults = try OmnistockConfiguration.parse(channel + "buffer_mode = \"lag_aware\"", environment: [:], kinds: ChannelAdapters.kinds)
            .channels[0]
        #expect(defaults.lagAware.map { [$0.window, Double($0.cap), Double($0.lowStock), $0.visibilityDelay] } == [900, 5, 10, 0])
        #expect(try OmnistockConfiguration.parse(channel, environment: [:], kinds: ChannelAdapters.kinds).channels[0].lagAware == nil)
    }

    @Test func environmentOverridesTheDatabaseAndResolvesSecrets() throws {
        let text = """
            [database]
            url = "postgresql:///from-file"
            [[channels]]
            code = "pos"
            kind = "omnistock-json"
            base_url = "http://127.0.0.1:9"
            token = "env:POS_TOKEN"
            """
        let configuration = try OmnistockConfiguration.parse(text, environment: ["POS_TOKEN": "s3cret"], kinds: ChannelAdapters.kinds)
        #expect(configuration.channels[0].token?.value == "s3cret")
        #expect("\(configuration.channels[0].token!)" == "<redacted>", "secrets never print")
        #expect(throws: ConfigError(key: "channels[0].token", message: "environment variable POS_TOKEN is not set")) {
            try OmnistockConfiguration.parse(text, environment: [:], kinds: ChannelAdapters.kinds)
        }
    }

    /// Behind PgBouncer in transaction mode the daemon needs PostgreSQL itself for session-level work.
    @Test func aDirectURLIsReadFromTheFileAndTheEnvironment() throws {
        let path = NSTemporaryDirectory() + "omnistock-direct-\(UUID().uuidString.prefix(8)).toml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
        [database]
        url = "postgresql:///omnistock?host=/run/pgbouncer&port=6432"
        direct_url = "postgresql:///omnistock?host=/run/postgresql"
        """.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(
            try OmnistockConfiguration.load(path: path, environment: [:], kinds: ChannelAdapters.kinds).database.directURL
                == "postgresql:///omnistock?host=/run/postgresql")
        let overridden = try OmnistockConfiguration.load(
            path: path, environment: ["OMNISTOCK_DATABASE_DIRECT_URL": "postgresql:///other"], kinds: ChannelAdapters.kinds)
        #expect(overridden.database.directURL == "postgresql:///other")
        #expect(try OmnistockConfiguration.load(path: nil, environment: [:], kinds: ChannelAdapters.kinds).database.directURL == nil)
    }

    @Test func everyMistakeNamesItsKey() {
        let cases: [(String, ConfigError)] = [
            ("colour = 1", ConfigError(key: "colour", message: "unknown key")),
            (
                "[sync]\nreconcile_interval = \"soon\"",
                ConfigError(key: "sync.reconcile_interval", message: "expected a duration such as 30s, 15m or 2h, not \"soon\"")
            ),
            (
                "[sync]\nexpiry_interval = \"infs\"",
                ConfigError(key: "sync.expiry_interval", message: "expected a duration such as 30s, 15m or 2h, not \"infs\"")
            ),
            (
                "[sync]\norder_poll_interval = \"100ms\"",
                ConfigError(key: "sync.order_poll_interval", message: "expected at least 1s (a vendor would answer 429 to a tighter loop)")
            ),
            ("[sync]\nsafety_scan_interval = \"0s\"", ConfigError(key: "sync.safety_scan_interval", message: "expected at least 100ms")),
            (
                "[database]\ngroup_commit_window = \"1s\"",
                ConfigError(key: "database.group_commit_window", message: "expected at most 100ms (every write may wait that long)")
            ),
            ("[database]\ngroup_commit_max = 0", ConfigError(key: "database.group_commit_max", message: "must be between 1 and 1000")),
            (
                "[retention]\ninbox = \"1d\"",
                ConfigError(key: "retention.inbox", message: "expected at least 2d (processed events are the record that stops a redelivery)")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"omnistock-json\"\nbase_url = \"http://x\"\ntimeout = \"0s\"",
                ConfigError(key: "channels[0].timeout", message: "expected at least 100ms (libcurl takes 0 as no timeout at all)")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"omnistock-json\"\nbase_url = \"http://x\"\nlag_cap = 2",
                ConfigError(key: "channels[0].lag_cap", message: "applies only with buffer_mode = \"lag_aware\"")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"omnistock-json\"\nbase_url = \"http://x\"\nbuffer_mode = \"lag_aware\"\nvisibility_delay = \"2d\"",
                ConfigError(key: "channels[0].visibility_delay", message: "expected at most 1d")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"omnistock-json\"\nbase_url = \"http://x\"\nbuffer_mode = \"smart\"",
                ConfigError(key: "channels[0].buffer_mode", message: "must be one of static, lag_aware, not \"smart\"")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"omnistock-json\"\nbase_url = \"http://x\"\nlast_units = -1",
                ConfigError(key: "channels[0].last_units", message: "must be between 0 and 1000000")
            ),
            ("[server]\nlisten = \"nowhere\"", ConfigError(key: "server.listen", message: "expected host:port, not \"nowhere\"")),
            (
                "[[locations]]\ncode = \"a\"\nkind = \"shed\"",
                ConfigError(key: "locations[0].kind", message: "must be one of warehouse, store, not \"shed\"")
            ),
            (
                "[[locations]]\ncode = \"a\"\nkind = \"warehouse\"\nclick_and_collect = true",
                ConfigError(key: "locations[0].click_and_collect", message: "only stores offer click-and-collect")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"omnistock-json\"\nbase_url = \"http://x\"\nlocations = [\"ghost\"]",
                ConfigError(key: "channels[0].locations[0]", message: "unknown location ghost")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"omnistock-json\"\nbase_url = \"ftp://x\"",
                ConfigError(key: "channels[0].base_url", message: "expected an http:// or https:// URL")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"allegro\"\nbase_url = \"http://x\"\nrate_limit = \"fast\"",
                ConfigError(key: "channels[0].rate_limit", message: "expected a rate such as 2/s, not \"fast\"")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"allegro\"\nbase_url = \"http://x\"\nmatch = \"barcode\"",
                ConfigError(key: "channels[0].match", message: "allegro channels expose no barcode to match on; use match = \"sku\"")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"omnistock-json\"\nbase_url = \"http://x\"\nmatch = \"barcode\"",
                ConfigError(key: "channels[0].match", message: "omnistock-json channels expose no barcode to match on; use match = \"sku\"")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"mirakl\"\nbase_url = \"http://x\"\nshop_id = \"my-shop\"",
                ConfigError(key: "channels[0].shop_id", message: "expected the shop's numeric id, not \"my-shop\"")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"shopify\"\nbase_url = \"http://x\"\nmatch = \"gtin\"",
                ConfigError(key: "channels[0].match", message: "must be one of sku, barcode, not \"gtin\"")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"woocommerce\"\nbase_url = \"http://x\"\ncancelled_states = [0]",
                ConfigError(key: "channels[0].cancelled_states", message: "applies only to prestashop channels")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"prestashop\"\nbase_url = \"http://x\"\ncancelled_states = []",
                ConfigError(key: "channels[0].cancelled_states", message: "list at least one order state id")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"prestashop\"\nbase_url = \"http://x\"\ncancelled_states = [6, \"7\"]",
                ConfigError(key: "channels[0].cancelled_states[1]", message: "expected a whole number")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"prestashop\"\nbase_url = \"http://x\"\ncancelled_states = [0]",
                ConfigError(key: "channels[0].cancelled_states[0]", message: "must be between 1 and 4294967295")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"prestashop\"\nbase_url = \"http://x\"\ncancelled_states = [6, 4294967296]",
                ConfigError(key: "channels[0].cancelled_states[1]", message: "must be between 1 and 4294967295")
            ),
            (
                "[[channels]]\ncode = \"c\"\nkind = \"prestashop\"\nbase_url = \"http://x\"\ncancelled_states = 6",
                ConfigError(key: "channels[0].cancelled_states", message: "expected a list of whole numbers")
            ),
        ]
        for (text, expected) in cases {
            #expect(throws: expected, "\(text)") { try OmnistockConfiguration.parse(text, kinds: ChannelAdapters.kinds) }
        }
    }

    @Test func aMiraklChannelTakesItsShopID() throws {
        let text =
            "[[channels]]\ncode = \"empik\"\nkind = \"mirakl\"\nbase_url = \"https://x\"\ntoken = \"k\"\nshop_id = \"2001\"\nmatch = \"barcode\""
        let channel = try #require(try OmnistockConfiguration.parse(text, kinds: ChannelAdapters.kinds).channels.first)
        #expect(channel.shopID == "2001")
        #expect(channel.match == "barcode")
        #expect(channel.modelsLocations == false)
    }

    @Test func aPrestaShopChannelTakesTheShopsOwnCancellingStates() throws {
        let text = "[[channels]]\ncode = \"shop\"\nkind = \"prestashop\"\nbase_url = \"https://x\"\ntoken = \"k\"\ncancelled_states = [6, 8, 21]"
        let channel = try #require(try OmnistockConfiguration.parse(text, kinds: ChannelAdapters.kinds).channels.first)
        #expect(channel.cancelledStates == [6, 8, 21])
        let unset = try OmnistockConfiguration.parse(
            text.replacingOccurrences(of: "\ncancelled_states = [6, 8, 21]", with: ""), kinds: ChannelAdapters.kinds)
        #expect(unset.channels.first?.cancelledStates == nil)
    }

    @Test func durationsAndRates() {
        #expect(ConfigDuration.seconds("500ms") == 0.5)
        #expect(ConfigDuration.seconds("15m") == 900)
        #expect(ConfigDuration.seconds("2h") == 7200)
        #expect(ConfigDuration.seconds("7d") == 604_800)
        #expect(ConfigDuration.seconds("m") == nil)
        #expect(RateLimit("120/m") == RateLimit(perSecond: 2))
        #expect(RateLimit("0/s") == nil)
    }
}
