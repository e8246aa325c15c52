import ArgumentParser
import ChannelSimulators
import ChannelVocabulary
import Channels
import Foundation
import UnixSignals

/// `omnistock simulate KIND --port N`: a local server speaking a channel's public API, to try a config against.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a local simulated channel (\(ChannelAdapters.kinds.map(\.name).joined(separator: ", "))) on 127.0.0.1.",
        discussion: """
            The simulator keeps its state in memory and prints the credentials to put in the channel's config. \
            It stops on Ctrl-C.
            """)

    @Argument(help: ArgumentHelp(stringLiteral: ChannelAdapters.kinds.map(\.name).joined(separator: " | ")))
    var kind: String

    @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
    var port = 0

    @Option(help: "SKUs the simulated catalogue holds (comma-separated).")
    var skus = "DEMO-1,DEMO-2,DEMO-3"

    func run() async throws {
        let catalogue = skus.split(separator: ",").map(String.init)
        let simulator: any ChannelSimulator
        let settings: String
        switch kind {
        case "shopify":
            let shop = ShopifySimulator(accessToken: "shpat_demo", webhookSecret: "shopify-demo-secret")
            for sku in catalogue { shop.addVariant(sku: sku) }
            simulator = shop
            settings =
                #"token = "shpat_demo"\#nwebhook_secrets = ["shopify-demo-secret"]\#nlocation_ids = { "wh-main" = "gid://shopify/Location/1" }"#
        case "woocommerce":
            let shop = WooCommerceSimulator(consumerKey: "ck_demo", consumerSecret: "cs_demo", webhookSecret: "woo-demo-secret")
            for sku in catalogue { shop.addProduct(sku: sku, stock: 0) }
            simulator = shop
            settings = #"consumer_key = "ck_demo"\#nconsumer_secret = "cs_demo"\#nwebhook_secrets = ["woo-demo-secret"]"#
        case "allegro":
            let account = AllegroSimulator(clientID: "demo-client", clientSecret: "demo-secret", refreshToken: "demo-refresh")
            for (index, sku) in catalogue.enumerated() { account.addOffer(id: "\(7_000_000_000 + index)", sku: sku, available: 1) }
            simulator = account
            settings = #"client_id = "demo-client"\#nclient_secret = "demo-secret"\#nrefresh_token = "demo-refresh""#
        case "prestashop":
            let shop = PrestaShopSimulator(key: "DEMOPRESTASHOPWEBSERVICEKEY00001")
            for sku in catalogue { shop.addProduct(reference: sku, quantity: 0) }
            simulator = shop
            settings = #"token = "DEMOPRESTASHOPWEBSERVICEKEY00001""#
        case "erli":
            let shop = ErliSimulator(apiKey: "erli-demo-key", applyDelay: 5)
            for sku in catalogue { shop.addProduct(externalId: sku, stock: 0) }
            simulator = shop
            settings = #"token = "erli-demo-key""#
        case "mirakl":
            let shop = MiraklSimulator(apiKey: "mirakl-demo-key")
            for sku in catalogue { shop.addOffer(shopSKU: sku, quantity: 1) }
            simulator = shop
            settings = #"token = "mirakl-demo-key""#
        case "emag":
            let account = EmagSimulator(username: "demo-user", password: "demo-password")
            for (index, sku) in catalogue.enumerated() { account.addOffer(id: 1000 + index, partNumber: sku, stock: 1) }
            simulator = account
            settings = #"username = "demo-user"\#npassword = "demo-password""#
        case "omnistock-json":
            simulator = OmnistockJSONSimulator(token: "pos-demo-token", webhookSecret: DemoSecrets.standardWebhooks)
            settings = #"token = "pos-demo-token"\#nwebhook_secrets = ["\#(DemoSecrets.standardWebhooks)"]"#
        default:
            throw ValidationError("unknown channel kind \(kind): use \(ChannelAdapters.kinds.map(\.name).joined(separator: ", "))")
        }
        let bound = try await simulator.start(port: port)
        print("simulated \(kind) channel on http://127.0.0.1:\(bound)\n\n[[channels]]\ncode = \"\(kind)-sim\"\nkind = \"\(kind)\"")
        print(
            "base_url = \"http://127.0.0.1:\(bound)\(kind == "emag" ? "/api-3" : "")\"\(kind == "allegro" ? "\ntoken_url = \"http://127.0.0.1:\(bound)/auth/oauth/token\"" : "")\n\(settings)\n"
        )
        for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { break }
        await simulator.stop()
    }
}

/// Secrets the demo and the simulators share (never use them for a real channel).
enum DemoSecrets {
    static let standardWebhooks = "whsec_ZGVtby1zdGFuZGFyZC13ZWJob29rcy1zZWNyZXQ="
}
