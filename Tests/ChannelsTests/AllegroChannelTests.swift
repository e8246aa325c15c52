import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Synchronization
import Testing

import struct HTTPTypes.HTTPFields

@Suite("allegro channel against its simulator")
struct AllegroChannelTests {
    static func simulator() -> AllegroSimulator {
        AllegroSimulator(clientID: "client", clientSecret: "secret", refreshToken: "refresh-0")
    }

    func channel(
        _ simulator: AllegroSimulator, refreshToken: String = "refresh-0", pageSize: Int = 1000, eventsPageSize: Int = 100,
        onRefresh: (@Sendable (String, String) -> Void)? = nil,
        storedTokens: (@Sendable () -> (accessToken: String?, refreshToken: String)?)? = nil
    ) -> AllegroChannel {
        AllegroChannel(
            configuration: AllegroConfiguration(
                apiURL: simulator.baseURL, tokenURL: simulator.baseURL + "/auth/oauth/token", clientID: "client", clientSecret: "secret",
                refreshToken: refreshToken, onTokensRefreshed: onRefresh, storedTokens: storedTokens, pageSize: pageSize,
                eventsPageSize: eventsPageSize
            ), client: sharedClient)
    }

    func level(_ offer: String, _ value: Int, previous: Int?, version: Int64 = 1) -> ChannelLevel {
        ChannelLevel(sku: "SKU-\(offer)", location: ChannelLevel.pooled, value: value, version: version, previousValue: previous, externalID: offer)
    }

    @Test("push > 0: PATCH product-offers with Allegro's media type and a bearer token; one call per offer")
    func push() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(id: "111", sku: "SKU-111", available: 3)
            simulator.addOffer(id: "222", sku: "SKU-222", available: 3)
            let result = await channel(simulator).pushLevels([level("111", 7, previous: 3), level("222", 1, previous: 3)])
            #expect(result.outcomes == [.ok, .ok])
            #expect(simulator.offer("111")?.available == 7)
            let patches = simulator.requests.filter { $0.method == "PATCH" }
            #expect(patches.map(\.path) == ["/sale/product-offers/111", "/sale/product-offers/222"])
            #expect(
                patches.allSatisfy {
                    $0.header("accept") == AllegroChannel.mediaType && $0.header("content-type") == AllegroChannel.mediaType
                        && $0.header("authorization")?.hasPrefix("Bearer access-") == true
                })
            #expect(patches.first?.bodyText == #"{"stock":{"available":7}}"#)
            #expect(simulator.publicationCommands.isEmpty)
        }
    }

    @Test("0 is published as stock 0, which ends the offer; a later positive value sets stock and activates it again")
    func endAndActivate() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(id: "111", sku: "SKU-111", available: 2)
            let channel = channel(simulator)
            #expect(await channel.pushLevels([level("111", 0, previous: 2, version: 2)]).outcomes == [.ok])
            #expect(simulator.offer("111")?.status == "ENDED")
            #expect(simulator.requests.last { $0.method == "PATCH" }?.bodyText == #"{"stock":{"available":0}}"#)
            #expect(simulator.publicationCommands.isEmpty, "Allegro ends it: no END command")

            #expect(await channel.pushLevels([level("111", 5, previous: 0, version: 3)]).outcomes == [.ok])
            #expect(simulator.offer("111").map { ($0.available, $0.status) } ?? (0, "") == (5, "ACTIVE"))
            let activate = try #require(simulator.requests.last { $0.method == "PUT" })
            #expect(activate.path.hasPrefix("/sale/offer-publication-commands/"))
            #expect(activate.bodyText.contains(#""action":"ACTIVATE""#) && activate.bodyText.contains(#""type":"CONTAINS_OFFERS""#))

            // A retried push of the same version repeats the same command id rather than issuing a new command.
            simulator.setStock(offer: "111", available: 0)
            _ = await channel.pushLevels([level("111", 5, previous: 0, version: 3)])
            #expect(simulator.publicationCommands.count == 1)
            #expect(Set(simulator.requests.filter { $0.method == "PUT" }.map(\.path)).count == 1)
        }
    }

    @Test("the simulator ends an active offer whose stock is set to 0, and a later stock change does not publish it again, as Allegro does")
    func zeroEnds() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(id: "111", sku: "SKU-111", available: 2)
            _ = await channel(simulator).pushLevels([level("111", 2, previous: 2)])
            let token = try #require(simulator.requests.last?.header("authorization"))
            let transport = ChannelTransport(
                client: sharedClient, baseURL: simulator.baseURL,
                authorizer: HeaderAuthorizer(name: "Authorization", value: token), mediaType: AllegroChannel.mediaType
            )
            let ended = try await transport.send(.patch, "/sale/product-offers/111", json: ["stock": ["available": 0]])
            #expect(ended.status == 200)
            #expect(try JSON.parse(ended.body)["publication"]["status"].string == "ENDED")
            #expect(simulator.offer("111")?.endedBy == "EMPTY_STOCK")
            let restocked = try await transport.send(.patch, "/sale/product-offers/111", json: ["stock": ["available": 3]])
            #expect(try JSON.parse(restocked.body)["publication"]["status"].string == "ENDED")
            #expect(simulator.offer("111").map { ($0.available, $0.status) } ?? (0, "") == (3, "ENDED"))
        }
    }

    @Test("token refresh: first use, once after 401, new tokens reported; a bad refresh token is permanent")
    func refresh() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(id: "111", sku: "SKU-111", available: 2)
            let refreshed = Mutex<[String]>([])
            let channel = channel(simulator) { _, refresh in refreshed.withLock { $0.append(refresh) } }
            #expect(await channel.pushLevels([level("111", 4, previous: 2)]).outcomes == [.ok])
            simulator.expireAccessTokens()
            #expect(await channel.pushLevels([level("111", 6, previous: 4)]).outcomes == [.ok])
            #expect(refreshed.withLock { $0 } == ["refresh-1001", simulator.currentRefreshToken])
            #expect(
                simulator.requests.filter { $0.path == "/auth/oauth/token" }.allSatisfy {
                    $0.header("authorization") == "Basic " + Data("client:secret".utf8).base64EncodedString()
                })
            guard case .permanent = await self.channel(simulator, refreshToken: "stolen").pushLevels([level("111", 1, previous: 6)]).outcomes[0]
            else {
                Issue.record("bad refresh token not permanent")
                return
            }
        }
    }

    @Test("tokens another process rotated and stored are taken up instead of refreshing with a used-up token")
    func storedTokens() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(id: "111", sku: "SKU-111", available: 2)
            let store = Mutex<(accessToken: String?, refreshToken: String)?>(nil)
            let save: @Sendable (String, String) -> Void = { access, refresh in store.withLock { $0 = (access, refresh) } }
            let load: @Sendable () -> (accessToken: String?, refreshToken: String)? = { store.withLock { $0 } }
            let daemon = channel(simulator, onRefresh: save, storedTokens: load)
            let cli = channel(simulator, onRefresh: save, storedTokens: load)
            #expect(await daemon.pushLevels([level("111", 4, previous: 2)]).outcomes == [.ok])
            #expect(await cli.pushLevels([level("111", 5, previous: 4)]).outcomes == [.ok])
            #expect(simulator.currentRefreshToken == "refresh-1001", "the second took up the first's access token: no refresh")
            simulator.expireAccessTokens()
            #expect(await cli.pushLevels([level("111", 6, previous: 5)]).outcomes == [.ok])
            #expect(
                await daemon.pushLevels([level("111", 7, previous: 6)]).outcomes == [.ok],
                "the first takes up the tokens the second rotated instead of refreshing with refresh-1001")
            #expect(simulator.requests.filter { $0.path == "/auth/oauth/token" }.count == 2)
            #expect(simulator.offer("111")?.available == 7)
        }
    }

    @Test("429 retry-after, 5xx transient, unmapped levels permanent")
    func classification() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(id: "111", sku: "SKU-111", available: 2)
            let channel = channel(simulator)
            _ = await channel.pushLevels([level("111", 2, previous: 2)])
            simulator.inject(.fail(status: 429, retryAfter: 4))
            #expect(await channel.pushLevels([level("111", 3, previous: 2)]).outcomes == [.retryAfter(seconds: 4)])
            simulator.inject(.fail(status: 500))
            guard case .transient = await channel.pushLevels([level("111", 3, previous: 2)]).outcomes[0] else {
                Issue.record("500")
                return
            }
            let unmapped = await channel.pushLevels([
                ChannelLevel(sku: "X", location: "store-krakow", value: 1, version: 1, externalID: "111"),
                ChannelLevel(sku: "Y", location: ChannelLevel.pooled, value: 1, version: 1),
            ]).outcomes
            guard case .permanent = unmapped[0], case .permanent = unmapped[1] else {
                Issue.record("\(unmapped)")
                return
            }
        }
    }

    @Test("fetchLevels pages by offset; ended offers show 0")
    func levelPaging() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(id: "1", sku: "A", available: 1)
            simulator.addOffer(id: "2", sku: "B", available: 2, status: "ENDED")
            simulator.addOffer(id: "3", sku: "C", available: 3)
            let channel = channel(simulator, pageSize: 2)
            let first = try await channel.fetchLevels(cursor: nil)
            #expect(first.hasMore && first.nextCursor == "2")
            let second = try await channel.fetchLevels(cursor: first.nextCursor)
            #expect(!second.hasMore)
            #expect((first.items + second.items).map(\.available) == [1, 0, 3])
            #expect((first.items + second.items).map(\.sku) == ["A", "B", "C"])
            #expect(try await channel.discoverListings(skus: ["C", "A"]) == ["A": "1", "C": "3"])
        }
    }

    @Test("order events → normalized events, paged, with the last event id as cursor")
    func orderEvents() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(id: "111", sku: "MUG", available: 5)
            simulator.addOffer(id: "222", sku: "CAP", available: 5)
            simulator.addOrderEvent(type: "FILLED_IN", checkoutForm: "cf-1", lines: [("111", 2)])
            let ready = simulator.addOrderEvent(type: "READY_FOR_PROCESSING", checkoutForm: "cf-1", lines: [("111", 2), ("222", 1)])
            simulator.addOrderEvent(type: "BUYER_CANCELLED", checkoutForm: "cf-2", lines: [("222", 1)])
            simulator.setFulfillment(checkoutForm: "cf-1", status: "SENT")
            let last = simulator.addOrderEvent(type: "FULFILLMENT_STATUS_CHANGED", checkoutForm: "cf-1")
            let channel = channel(simulator, eventsPageSize: 2)
            let page1 = try await channel.fetchOrders(since: nil)
            #expect(page1.hasMore)
            #expect(page1.nextCursor == ready)
            #expect(
                page1.items == [
                    NormalizedEvent(
                        id: "allegro-event-\(ready)", kind: .orderCreated, orderRef: "cf-1",
                        lines: [.init(sku: "MUG", externalID: "111", quantity: 2), .init(sku: "CAP", externalID: "222", quantity: 1)],
                        occurredAt: page1.items.first?.occurredAt
                    )
                ])
            let page2 = try await channel.fetchOrders(since: page1.nextCursor)
            #expect(page2.items.map(\.kind) == [.orderCancelled, .orderFulfilled])
            #expect(page2.nextCursor == last)
            let page3 = try await channel.fetchOrders(since: page2.nextCursor)
            #expect(page3.items.isEmpty && !page3.hasMore && page3.nextCursor == last)
        }
    }

    @Test("an offer Allegro ended when it sold out is activated again on restock; one the seller ended stays ended and is reported")
    func soldOutOffersComeBack() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(id: "111", sku: "SKU-111", available: 2)
            simulator.addOffer(id: "222", sku: "SKU-222", available: 3)
            let channel = channel(simulator)
            #expect(await channel.pushLevels([level("111", 2, previous: 2)]).outcomes == [.ok])
            #expect(simulator.sell(offer: "111", quantity: 2, checkoutForm: "cf-1") != nil)
            #expect(simulator.offer("111")?.status == "ENDED")
            #expect(simulator.offer("111")?.endedBy == "EMPTY_STOCK")

            // The ledger last pushed 2 and now has units again (the sale is not imported yet, or stock arrived).
            #expect(await channel.pushLevels([level("111", 5, previous: 2, version: 2)]).outcomes == [.ok])
            #expect(simulator.offer("111")?.status == "ACTIVE", "a sold-out offer is published again")
            #expect(simulator.offer("111")?.available == 5)

            simulator.endOffer("222")
            let kept = await channel.pushLevels([level("222", 4, previous: 3, version: 2)])
            #expect(simulator.offer("222")?.status == "ENDED", "an offer the seller ended stays ended")
            guard case .permanent = kept.outcomes[0] else {
                Issue.record("\(kept.outcomes)")
                return
            }
            #expect(kept.items[0].issue?.kind == .endedOffer)
            #expect(!simulator.publicationCommands.values.contains { $0.offers == ["222"] })
        }
    }

    @Test("no webhooks")
    func webhooks() {
        let channel = AllegroChannel(configuration: AllegroConfiguration(clientID: "c", clientSecret: "s", refreshToken: "r"), client: sharedClient)
        #expect(channel.verifyWebhook(headers: [:], body: [], now: Date()) == .rejected("allegro sends no webhooks"))
        #expect(throws: ChannelError.self) { try channel.parseWebhook(headers: [:], body: []) }
    }
}
