import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Testing

@Suite("omnistock-json channel against its simulator")
struct OmnistockJSONChannelTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    func channel(_ simulator: OmnistockJSONSimulator, token: String = "t0k", batchSize: Int = 100, pageSize: Int = 500) -> OmnistockJSONChannel {
        OmnistockJSONChannel(
            configuration: OmnistockJSONConfiguration(
                baseURL: simulator.baseURL, token: token, webhookSecrets: [Self.secret], batchSize: batchSize, pageSize: pageSize
            ),
            client: sharedClient
        )
    }

    func levels(_ count: Int) -> [ChannelLevel] {
        (0..<count).map { ChannelLevel(sku: "SKU-\($0)", location: "store-krakow", value: $0 + 1, version: 10) }
    }

    @Test("push: accepted, batched by batch_size, bearer token, Idempotency-Key stable per batch")
    func push() async throws {
        try await withSimulator(OmnistockJSONSimulator(token: "t0k", webhookSecret: Self.secret)) { simulator in
            let channel = channel(simulator, batchSize: 2)
            let result = await channel.pushLevels(levels(5))
            #expect(result.outcomes == Array(repeating: .ok, count: 5))
            #expect(simulator.level(sku: "SKU-4", location: "store-krakow")?.available == 5)
            let puts = simulator.requests.filter { $0.method == "PUT" && $0.path == "/levels" }
            #expect(puts.count == 3)
            #expect(puts.allSatisfy { $0.header("authorization") == "Bearer t0k" })
            #expect(puts.allSatisfy { $0.header("user-agent")?.hasPrefix("omnistock/") == true })
            #expect(puts.allSatisfy { $0.header("content-type") == "application/json" })
            #expect(Set(puts.compactMap { $0.header("idempotency-key") }).count == 3)
            _ = await channel.pushLevels(Array(levels(5).prefix(2)))
            #expect(simulator.requests.last?.header("idempotency-key") == puts.first?.header("idempotency-key"))
        }
    }

    @Test("409 names current values: those levels are conflicts")
    func conflict() async throws {
        try await withSimulator(OmnistockJSONSimulator(token: "t0k", webhookSecret: Self.secret)) { simulator in
            simulator.setLevel(sku: "SKU-0", location: "store-krakow", available: 6)
            simulator.inject(.stale)
            let result = await channel(simulator).pushLevels(levels(1))
            #expect(result.outcomes == [.conflict(current: 7)])
        }
    }

    @Test("429 and 503 with Retry-After, 5xx transient, other 4xx permanent, bad token permanent")
    func classification() async throws {
        try await withSimulator(OmnistockJSONSimulator(token: "t0k", webhookSecret: Self.secret)) { simulator in
            let channel = channel(simulator)
            simulator.inject(.fail(status: 429, retryAfter: 7))
            #expect(await channel.pushLevels(levels(1)).outcomes == [.retryAfter(seconds: 7)])
            simulator.inject(.fail(status: 503, retryAfter: 2))
            #expect(await channel.pushLevels(levels(1)).outcomes == [.retryAfter(seconds: 2)])
            simulator.inject(.fail(status: 500))
            guard case .transient = await channel.pushLevels(levels(1)).outcomes[0] else {
                Issue.record("500 not transient")
                return
            }
            simulator.inject(.fail(status: 422))
            guard case .permanent = await channel.pushLevels(levels(1)).outcomes[0] else {
                Issue.record("422 not permanent")
                return
            }
            guard case .permanent = await self.channel(simulator, token: "wrong").pushLevels(levels(1)).outcomes[0] else {
                Issue.record("401 not permanent")
                return
            }
        }
    }

    @Test("a hanging endpoint is a transient failure")
    func hang() async throws {
        try await withSimulator(OmnistockJSONSimulator(token: "t0k", webhookSecret: Self.secret)) { simulator in
            let client = CurlHTTPClient(configuration: HTTPClientConfiguration(totalTimeout: .milliseconds(300)))
            defer { client.shutdown() }
            let channel = OmnistockJSONChannel(configuration: .init(baseURL: simulator.baseURL, token: "t0k"), client: client)
            simulator.inject(.hang(.seconds(1)))
            guard case .transient(let message) = await channel.pushLevels(levels(1)).outcomes[0] else {
                Issue.record("hang not transient")
                return
            }
            #expect(message.contains("timeout"))
        }
    }

    @Test("fetchLevels follows next_cursor to the last page")
    func paging() async throws {
        try await withSimulator(OmnistockJSONSimulator(token: "t0k", webhookSecret: Self.secret)) { simulator in
            for index in 0..<5 { simulator.setLevel(sku: "SKU-\(index)", location: "store-krakow", available: index, onHand: index + 1) }
            let channel = channel(simulator, pageSize: 2)
            let (pages, seen) = try await allLevels(channel)
            #expect(pages == 3)
            #expect(seen.count == 5)
            #expect(seen.first == ChannelLevelSnapshot(sku: "SKU-0", location: "store-krakow", available: 0, onHand: 1))
            await #expect(throws: ChannelError(.unsupported, "omnistock-json endpoints do not list orders")) {
                try await channel.fetchOrders(since: nil)
            }
        }
    }

    @Test("reservations: POST holds (201, then 200 again), DELETE releases, 404 counts as done")
    func reservations() async throws {
        try await withSimulator(OmnistockJSONSimulator(token: "t0k", webhookSecret: Self.secret)) { simulator in
            let channel = channel(simulator)
            let reservation = ChannelReservation(
                id: "r_1", sku: "SKU-1", location: "store-krakow", quantity: 1, order: "WEB-1001", channel: "webshop",
                expiresAt: Date(timeIntervalSince1970: 1_795_000_000)
            )
            #expect(await channel.pushReservation(reservation) == .ok)
            #expect(await channel.pushReservation(reservation) == .ok)
            #expect(simulator.reservations["r_1"]?["expires_at"] == "2026-11-18T11:06:40Z")
            #expect(await channel.cancelReservation(id: "r_1") == .ok)
            #expect(await channel.cancelReservation(id: "r_1") == .ok)
            #expect(simulator.reservations.isEmpty)
        }
    }
}
