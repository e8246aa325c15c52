import ChannelSimulators
import ChannelVocabulary
import Channels
import Foundation
import Testing

@Suite("mirakl channel against its simulator")
struct MiraklChannelTests {
    static func simulator(interval: TimeInterval = 0, shops: [String] = ["2001"]) -> MiraklSimulator {
        MiraklSimulator(apiKey: "key-1", shops: shops, offerImportInterval: interval)
    }

    func channel(_ simulator: MiraklSimulator, key: String = "key-1", shopID: String? = nil, pageSize: Int = 100) -> MiraklChannel {
        MiraklChannel(
            configuration: MiraklConfiguration(instanceURL: simulator.baseURL, apiKey: key, shopID: shopID, pageSize: pageSize),
            client: sharedClient)
    }

    func level(_ sku: String, _ value: Int, version: Int64 = 1) -> ChannelLevel {
        ChannelLevel(sku: sku, location: ChannelLevel.pooled, value: value, version: version, externalID: sku)
    }

    var offerImports: (MiraklSimulator) -> [RecordedRequest] {
        { $0.requests.filter { $0.method == "POST" && $0.path == "/api/offers" } }
    }

    @Test("push: one OF24 call for the batch, the API key as the whole Authorization header, update_delete update")
    func push() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(shopSKU: "MUG", quantity: 3)
            simulator.addOffer(shopSKU: "CAP", quantity: 3)
            let result = await channel(simulator).pushLevels([level("MUG", 7), level("CAP", 0)])
            #expect(result.outcomes == [.ok, .ok])
            #expect(simulator.offer("MUG")?.quantity == 7)
            #expect(simulator.offer("CAP")?.quantity == 0)
            let calls = offerImports(simulator)
            #expect(calls.count == 1)
            #expect(calls.first?.header("authorization") == "key-1")
            let body = try #require(calls.first.map { try JSON.parse($0.body) })
            #expect(body["offers"].array.map { $0["shop_sku"].string } == ["CAP", "MUG"])
            #expect(body["offers"].array.allSatisfy { $0["update_delete"].string == "update" })
            #expect(simulator.importErrors.isEmpty)
        }
    }

    @Test("OF24 resets what it is not sent: the push sends the offer back whole, so price and the rest survive")
    func keepsTheOfferFields() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(
                shopSKU: "MUG", quantity: 3, price: 42.5, stateCode: "11", description: "Blue mug", leadtimeToShip: 5, logisticClass: "L",
                additionalFields: ["warranty": "24"])
            let before = try #require(simulator.offer("MUG"))
            #expect(await channel(simulator).pushLevels([level("MUG", 9)]).outcomes == [.ok])
            var expected = before
            expected.quantity = 9
            #expect(simulator.offer("MUG") == expected)
        }
    }

    @Test("an offer OF21 does not list is refused for good without creating one; the others still go out")
    func unknownOffer() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(shopSKU: "MUG", quantity: 3)
            let result = await channel(simulator).pushLevels([level("GHOST", 4), level("MUG", 2)])
            guard case .permanent(let message) = result.outcomes[0] else {
                Issue.record("expected a permanent failure, got \(result.outcomes[0])")
                return
            }
            #expect(message.contains("GHOST"))
            #expect(result.outcomes[1] == .ok)
            #expect(simulator.offer("GHOST") == nil)
            let body = try #require(offerImports(simulator).first.map { try JSON.parse($0.body) })
            #expect(body["offers"].array.map { $0["shop_sku"].string } == ["MUG"])
        }
    }

    @Test("OF24 at most once a minute: a second call within it gets 429 and the lane waits Retry-After")
    func oncePerMinute() async throws {
        try await withSimulator(Self.simulator(interval: 60)) { simulator in
            simulator.addOffer(shopSKU: "MUG", quantity: 3)
            let channel = channel(simulator)
            #expect(channel.pushRequestRate.map { $0 <= 1.0 / 60 } == true, "the lane keeps to once a minute")
            #expect(await channel.pushLevels([level("MUG", 5)]).outcomes == [.ok])
            let second = await channel.pushLevels([level("MUG", 4, version: 2)]).outcomes
            guard case .retryAfter(let seconds) = second.first else {
                Issue.record("expected retryAfter, got \(second)")
                return
            }
            #expect((55...60).contains(seconds))
            #expect(simulator.refusedOfferImports == 1)
            #expect(simulator.offer("MUG")?.quantity == 5)
            simulator.forgetLastOfferImport()
            #expect(await channel.pushLevels([level("MUG", 4, version: 2)]).outcomes == [.ok])
            #expect(simulator.offer("MUG")?.quantity == 4)
        }
    }

    @Test("5xx is transient, other 4xx permanent, an answer without import_id transient, garbage from OF21 never traps")
    func failures() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(shopSKU: "MUG", quantity: 3)
            let channel = channel(simulator)
            simulator.inject(.fail(status: 500))
            guard case .transient = await channel.pushLevels([level("MUG", 1)]).outcomes[0] else {
                Issue.record("500 on OF21 should be transient")
                return
            }
            simulator.inject(.fail(status: 502), count: 1)
            let read = await channel.pushLevels([level("MUG", 1)])
            guard case .transient = read.outcomes[0] else {
                Issue.record("502 should be transient, got \(read.outcomes)")
                return
            }
            // OF21 answers, OF24 fails: the second request of the push.
            simulator.clearRequests()
            simulator.answerGarbage(onRequest: 2, status: 400, body: #"{"status":400,"message":"Bad request"}"#)
            guard case .permanent = await channel.pushLevels([level("MUG", 1)]).outcomes[0] else {
                Issue.record("400 should be permanent")
                return
            }
            simulator.answerGarbage(onRequest: 2, status: 201, body: "{}")
            guard case .transient = await channel.pushLevels([level("MUG", 1)]).outcomes[0] else {
                Issue.record("a 201 without import_id should be transient")
                return
            }
            simulator.answerGarbage(onRequest: 1, status: 200, body: "{not json")
            await #expect(throws: ChannelError.self) { try await channel.fetchLevels(cursor: nil) }
            simulator.inject(.fail(status: 429, retryAfter: 17))
            #expect(await channel.pushLevels([level("MUG", 1)]).outcomes == [.retryAfter(seconds: 17)])
        }
    }

    @Test("values are published within Mirakl's 0…1,000,000,000")
    func range() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(shopSKU: "BIG", quantity: 3)
            simulator.addOffer(shopSKU: "NEG", quantity: 3)
            let result = await channel(simulator).pushLevels([level("BIG", Int.max), level("NEG", -5)])
            #expect(result.outcomes == [.ok, .ok])
            #expect(simulator.importErrors.isEmpty)
            #expect(simulator.offer("BIG")?.quantity == 1_000_000_000)
            #expect(simulator.offer("NEG")?.quantity == 0)
        }
    }

    @Test("a wrong API key fails for good; shop_id goes on every call and a shop not the user's is refused")
    func authAndShop() async throws {
        try await withSimulator(Self.simulator(shops: ["2001", "2002"])) { simulator in
            simulator.addOffer(shopSKU: "MUG", quantity: 3)
            let wrong = channel(simulator, key: "nope")
            await #expect(throws: ChannelError.self) { try await wrong.fetchLevels(cursor: nil) }
            guard case .permanent = await wrong.pushLevels([level("MUG", 1)]).outcomes[0] else {
                Issue.record("401 should be permanent")
                return
            }
            simulator.clearRequests()
            let second = channel(simulator, shopID: "2002")
            #expect(await second.pushLevels([level("MUG", 6)]).outcomes == [.ok])
            _ = try await second.fetchOrders(since: nil)
            #expect(simulator.requests.count == 3)
            #expect(simulator.requests.allSatisfy { ($0.query ?? "").contains("shop_id=2002") })
            let foreign = channel(simulator, shopID: "9999")
            await #expect(throws: ChannelError.self) { try await foreign.fetchLevels(cursor: nil) }
        }
    }

    @Test("levels: OF21 paged with offset/max and total_count; an inactive offer shows 0; discovery by shop_sku and EAN")
    func levelsAndDiscovery() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            for (index, sku) in ["A", "B", "C", "D", "E"].enumerated() {
                simulator.addOffer(shopSKU: sku, ean: "590000000000\(index)", quantity: index + 1, active: sku != "C")
            }
            let channel = channel(simulator, pageSize: 2)
            let (pages, items) = try await allLevels(channel)
            #expect(pages == 3)
            #expect(items.map(\.sku) == ["A", "B", "C", "D", "E"])
            #expect(items.map(\.available) == [1, 2, 0, 4, 5])
            #expect(items.map(\.externalID) == ["A", "B", "C", "D", "E"])
            #expect(items.first?.barcode == "5900000000000")
            #expect(try await channel.discoverListings(skus: ["B", "E", "Z"]) == ["B": "B", "E": "E"])
            let byBarcode = try await channel.catalogueItems(matching: ["5900000000003"], by: .barcode)
            #expect(byBarcode.map(\.externalID) == ["D"])
        }
    }

    @Test("orders: OR11 states map to created/fulfilled/cancelled, paged; the cursor resumes with an overlap")
    func orders() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            let hour: TimeInterval = 3600
            simulator.putOrder(id: "A-1", state: "WAITING_ACCEPTANCE", lines: [.init(offerSKU: "MUG", quantity: 2)], created: start)
            simulator.putOrder(
                id: "B-1", state: "SHIPPED", lines: [.init(offerSKU: "CAP", quantity: 1), .init(offerSKU: "MUG", quantity: 1, state: "REFUSED")],
                created: start + hour)
            simulator.putOrder(id: "C-1", state: "CANCELED", lines: [.init(offerSKU: "MUG", quantity: 4)], created: start + 2 * hour)
            let channel = channel(simulator, pageSize: 2)
            let first = try await channel.fetchOrders(since: nil)
            #expect(first.hasMore)
            #expect(first.items.map(\.id) == ["mirakl-order-A-1/orderCreated", "mirakl-order-B-1/orderCreated", "mirakl-order-B-1/orderFulfilled"])
            #expect(first.items[0].lines.map(\.quantity) == [2])
            #expect(first.items[1].lines.map(\.sku) == ["CAP"], "a refused line takes no stock")
            let second = try await channel.fetchOrders(since: first.nextCursor)
            #expect(!second.hasMore)
            #expect(second.items.map(\.id) == ["mirakl-order-C-1/orderCancelled"])
            let cursor = try #require(second.nextCursor)
            #expect(cursor == "2026-09-21T16:13:20Z")

            simulator.setOrderState("A-1", "REFUSED", at: start + 5 * hour)
            let later = try await channel.fetchOrders(since: cursor)
            #expect(later.items.map(\.id) == ["mirakl-order-A-1/orderCancelled", "mirakl-order-C-1/orderCancelled"], "C-1 again: the overlap")
            #expect(later.nextCursor == "2026-09-21T19:13:20Z")
            let query = simulator.requests.last?.query ?? ""
            #expect(query.contains("start_update_date=2026-09-21T16%3A08%3A20Z"), "five minutes before the cursor")
        }
    }

    @Test("hostile order lines: negative, zero and huge quantities are carried as 0, never trapping")
    func hostileOrders() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.putOrder(
                id: "H-1", state: "SHIPPING",
                lines: [.init(offerSKU: "A", quantity: -3), .init(offerSKU: "B", quantity: Int.max), .init(offerSKU: "C", quantity: 3)],
                created: Date(timeIntervalSince1970: 1_790_000_000))
            let page = try await channel(simulator).fetchOrders(since: nil)
            #expect(page.items.first?.lines.map(\.quantity) == [0, 0, 3])
        }
    }
}
