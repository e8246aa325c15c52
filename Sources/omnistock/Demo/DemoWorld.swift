import ChannelSimulators
import Foundation
import Ledger
import OmnistockConfig

/// The demo's retailer: two warehouses, three stores with click-and-collect, a few hundred SKUs, and
/// three simulated channels on loopback — a Shopify webshop (per-location levels), an Allegro
/// marketplace (pooled levels) and a store POS speaking omnistock-json.
final class DemoWorld: @unchecked Sendable {
    static let warehouses = ["wh-main", "wh-south"]
    static let stores = ["store-krakow", "store-warszawa", "store-gdansk"]
    static let skuCount = 300
    static let adminToken = "demo-admin-token"

    let shop = ShopifySimulator(
        accessToken: "shpat_demo", webhookSecret: "shopify-demo-secret",
        locations: (warehouses + stores).indices.map { "gid://shopify/Location/\($0 + 1)" })
    let marketplace = AllegroSimulator(clientID: "demo-client", clientSecret: "demo-secret", refreshToken: "demo-refresh")
    let pos = OmnistockJSONSimulator(token: "pos-demo-token", webhookSecret: DemoSecrets.standardWebhooks)

    static func sku(_ index: Int) -> String { String(format: "DEMO-%03d", index) }
    static func offerID(_ index: Int) -> String { String(8_000_000_000 + index) }
    static func shopifyLocation(_ code: String) -> String {
        "gid://shopify/Location/\((warehouses + stores).firstIndex(of: code)! + 1)"
    }

    /// Starts the simulators and fills their catalogues.
    func start() async throws {
        for index in 1...Self.skuCount {
            shop.addVariant(sku: Self.sku(index))
            marketplace.addOffer(id: Self.offerID(index), sku: Self.sku(index), available: 1)
        }
        _ = try await shop.start()
        _ = try await marketplace.start()
        _ = try await pos.start()
    }

    func stop() async {
        await shop.stop()
        await marketplace.stop()
        await pos.stop()
    }

    /// The configuration file the demo runs with (also a worked example of a real one).
    func configuration(dataDirectory: String, port: Int) -> String {
        let locationIDs = (Self.warehouses + Self.stores).map { "\"\($0)\" = \"\(Self.shopifyLocation($0))\"" }.joined(separator: ", ")
        var text = """
            data_dir = "\(dataDirectory)"

            [server]
            listen = "127.0.0.1:\(port)"
            tokens = [{ token = "\(Self.adminToken)", scope = "write" }]

            [sync]
            reconcile_interval = "1m"
            safety_scan_interval = "2s"

            [logging]
            level = "warning"

            """
        for code in Self.warehouses {
            text += "\n[[locations]]\ncode = \"\(code)\"\nname = \"Warehouse \(code.dropFirst(3))\"\nkind = \"warehouse\"\n"
        }
        for code in Self.stores {
            text += """

                [[locations]]
                code = "\(code)"
                name = "Store \(code.dropFirst(6).capitalized)"
                kind = "store"
                ships_online = false
                click_and_collect = true
                pickup_buffer = 1

                """
        }
        text += """

            [[channels]]
            code = "webshop"
            kind = "shopify"
            base_url = "\(shop.baseURL)"
            token = "shpat_demo"
            webhook_secrets = ["shopify-demo-secret"]
            locations = [\((Self.warehouses + Self.stores).map { "\"\($0)\"" }.joined(separator: ", "))]
            location_ids = { \(locationIDs) }

            [[channels]]
            code = "marketplace"
            kind = "allegro"
            base_url = "\(marketplace.baseURL)"
            token_url = "\(marketplace.baseURL)/auth/oauth/token"
            client_id = "demo-client"
            client_secret = "demo-secret"
            refresh_token = "demo-refresh"
            locations = ["wh-main", "wh-south"]
            buffer = 2
            concurrency = 4

            [[channels]]
            code = "pos-krakow"
            kind = "omnistock-json"
            base_url = "\(pos.baseURL)"
            token = "pos-demo-token"
            webhook_secrets = ["\(DemoSecrets.standardWebhooks)"]
            locations = ["store-krakow"]

            """
        return text
    }

    /// Deterministic starting stock: every SKU in both warehouses, most in some stores.
    static func startingStock() -> [StockImportRow] {
        var rows: [StockImportRow] = []
        for index in 1...skuCount {
            let sku = sku(index)
            rows.append(StockImportRow(line: rows.count + 2, sku: sku, location: "wh-main", onHand: 5 + index % 17, name: "Demo item \(index)"))
            rows.append(StockImportRow(line: rows.count + 2, sku: sku, location: "wh-south", onHand: index % 7))
            for (offset, store) in stores.enumerated() where (index + offset) % 3 != 0 {
                rows.append(StockImportRow(line: rows.count + 2, sku: sku, location: store, onHand: 1 + (index + offset) % 4))
            }
        }
        return rows
    }
}
