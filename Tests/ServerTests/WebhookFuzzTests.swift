import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import HTTPTypes
import PostgresClient
import Server
import TestSupport
import Testing

/// Random and mutated webhook deliveries (``WebhookFuzzer``), seeded so that a failure can be replayed:
/// the seed is printed, and `OMNISTOCK_FUZZ_SEED` sets it.
@Suite("webhook fuzz")
struct WebhookFuzzTests {
    static let seed: UInt64 =
        ProcessInfo.processInfo.environment["OMNISTOCK_FUZZ_SEED"].flatMap { UInt64($0) }
        ?? UInt64.random(in: 0...UInt64(UInt32.max))

    @Test("2,000 fuzzed deliveries to the live server: never 5xx, bad signatures 401 and never stored; valid ones still land")
    func liveServer() async throws {
        print("webhook fuzz seed: \(Self.seed) (OMNISTOCK_FUZZ_SEED)")
        let maxBodyBytes = 64 << 10
        try await ServerHarness.with(adjust: {
            $0.maxBodyBytes = maxBodyBytes
            $0.channelRateLimit = nil
        }) { server in
            var fuzzer = WebhookFuzzer(seed: Self.seed, maxBodyBytes: maxBodyBytes)
            var signedIDs: [String: Set<String>] = [:], acknowledged: [String: Set<String>] = [:]
            for number in 0..<2_000 {
                let target = WebhookFuzzTarget.all[number % WebhookFuzzTarget.all.count]
                let id = "c\(number)"
                let fuzzed = fuzzer.next(for: target, id: id, now: Date())
                let response = try await server.send(.post, "/webhooks/\(target.code)", headers: fuzzed.headers, body: fuzzed.body)
                let context =
                    "case \(number) (\(target.code), \(fuzzed.mutation), seed \(Self.seed)): \(response.status) \(response.bodyText.prefix(200))"
                #expect(response.status < 500, "\(context)")
                switch fuzzed.expectation {
                case .unauthorized:
                    #expect(response.status == 401, "\(context)")
                case .signed:
                    #expect([200, 400].contains(response.status), "\(context)")
                    if let header = fuzzed.headers.first(where: { $0.0 == target.idHeader }) { signedIDs[target.code, default: []].insert(header.1) }
                    if response.status == 200, response.json["status"] as? String == "stored" {
                        acknowledged[target.code, default: []].insert(response.json["event_id"] as? String ?? "")
                    }
                case .tooLarge:
                    #expect(response.status == 413, "\(context)")
                }
            }
            for target in WebhookFuzzTarget.all {
                let stored = try Set(
                    server.pool.query("SELECT event_id FROM inbox WHERE channel = $1", [target.code]) { rows in
                        try rows.map { try $0.decode(String.self, at: 0) }
                    })
                #expect(
                    Set(stored.map(target.deliveryID)).isSubset(of: signedIDs[target.code] ?? []),
                    "\(target.code): only correctly signed deliveries are stored")
                #expect(stored == acknowledged[target.code] ?? [], "\(target.code): every delivery answered `stored` is in the inbox, and only those")
                // The server still works: a valid delivery lands.
                let body = Array(target.body(42).utf8)
                let headers = target.sign(target.secret, "final", String(Int(Date().timeIntervalSince1970)), body)
                let final = try await server.send(.post, "/webhooks/\(target.code)", headers: headers, body: body)
                #expect(final.status == 200, "\(target.code): \(final.status) \(final.bodyText)")
                let finals = try server.pool.query("SELECT event_id FROM inbox WHERE channel = $1", [target.code]) { rows in
                    try rows.map { target.deliveryID(try $0.decode(String.self, at: 0)) }.filter { $0 == "final" }
                }
                #expect(finals.count == 1)
            }
        }
    }

    @Test("in process, every adapter's verifier rejects what is not correctly signed and its parser throws, never traps")
    func adapters() throws {
        print("webhook fuzz seed: \(Self.seed) (OMNISTOCK_FUZZ_SEED)")
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let channels: [String: any ChannelVocabulary.Channel] = [
            "pos": OmnistockJSONChannel(
                configuration: .init(baseURL: "http://127.0.0.1:1", token: "t", webhookSecrets: [ServerHarness.posSecret]), client: client),
            "webshop": ShopifyChannel(
                configuration: ShopifyConfiguration(shopURL: "http://127.0.0.1:1", accessToken: "t", webhookSecrets: [ServerHarness.shopifySecret]),
                client: client),
            "woo": WooCommerceChannel(
                configuration: WooCommerceConfiguration(
                    siteURL: "http://127.0.0.1:1", consumerKey: "ck", consumerSecret: "cs", webhookSecrets: [ServerHarness.wooSecret]),
                client: client),
        ]
        let allegro = AllegroChannel(
            configuration: AllegroConfiguration(apiURL: "http://127.0.0.1:1", clientID: "c", clientSecret: "s", refreshToken: "r"), client: client)
        var fuzzer = WebhookFuzzer(seed: Self.seed, maxBodyBytes: 64 << 10)
        let now = Date()
        for number in 0..<3_000 {
            let target = WebhookFuzzTarget.all[number % WebhookFuzzTarget.all.count]
            let channel = try #require(channels[target.code])
            let fuzzed = fuzzer.next(for: target, id: "c\(number)", now: now)
            // As the server hands them to the adapter: a name that is no HTTP token never gets that far.
            let headers = HTTPFields(fuzzed.headers.compactMap { name, value in HTTPField.Name(name).map { HTTPField(name: $0, value: value) } })
            let context = "case \(number) (\(target.code), \(fuzzed.mutation), seed \(Self.seed))"
            let verdict = channel.verifyWebhook(headers: headers, body: fuzzed.body, now: now)
            switch fuzzed.expectation {
            case .unauthorized: #expect(verdict != .verified && verdict != .ping, "\(context)")
            case .signed, .tooLarge: #expect(verdict == .verified, "\(context)")
            }
            let events = try? channel.parseWebhook(headers: headers, body: fuzzed.body)
            if fuzzed.mutation == .intact {
                #expect(events?.first.map { target.deliveryID($0.id) } == "c\(number)", "\(context): an intact delivery parses")
            }
            #expect(allegro.verifyWebhook(headers: headers, body: fuzzed.body, now: now) != .verified, "\(context): allegro sends no webhooks")
            #expect(throws: ChannelError.self) { try allegro.parseWebhook(headers: headers, body: fuzzed.body) }
        }
    }
}
