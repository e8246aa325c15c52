import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Testing

@Suite("emag channel against its simulator")
struct EmagChannelTests {
    static func simulator(enforcesRateLimits: Bool = false) -> EmagSimulator {
        EmagSimulator(username: "seller@example.com", password: "api-pass", enforcesRateLimits: enforcesRateLimits)
    }

    func channel(
        _ simulator: EmagSimulator, password: String = "api-pass", batchSize: Int = 50, pageSize: Int = 100,
        spacing: (orders: Duration, others: Duration) = (.zero, .zero)
    ) -> EmagChannel {
        EmagChannel(
            configuration: EmagConfiguration(
                apiURL: simulator.baseURL + "/api-3", username: "seller@example.com", password: password, batchSize: batchSize,
                pageSize: pageSize, spacing: spacing),
            client: sharedClient)
    }

    func level(_ sku: String, _ value: Int, _ id: Int?) -> ChannelLevel {
        ChannelLevel(sku: sku, location: ChannelLevel.pooled, value: value, version: 1, externalID: id.map(String.init))
    }

    @Test("push: offer/save with Basic auth, at most 50 offers a request, stock in warehouse 1")
    func push() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            for id in 1...120 { simulator.addOffer(id: id, partNumber: "SKU-\(id)", stock: 0) }
            let result = await channel(simulator).pushLevels((1...120).map { level("SKU-\($0)", $0 * 2, $0) })
            #expect(result.outcomes == Array(repeating: .ok, count: 120))
            #expect(simulator.requests.count == 3)
            #expect(simulator.requests.allSatisfy { $0.method == "POST" && $0.path == "/api-3/offer/save" })
            #expect(
                simulator.requests.allSatisfy {
                    $0.header("authorization") == "Basic " + Data("seller@example.com:api-pass".utf8).base64EncodedString()
                })
            #expect(simulator.stock(of: 1) == 2)
            #expect(simulator.stock(of: 120) == 240)
            #expect(simulator.requests[0].bodyText.contains(#""stock":[{"value":2,"warehouse_id":1}]"#))
        }
    }

    @Test("isError on HTTP 200 is a refusal: a campaign offer's refusal is isolated by halving, the rest of its batch is applied")
    func campaignRefusal() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            for id in 1...8 { simulator.addOffer(id: id, partNumber: "SKU-\(id)", stock: 1) }
            simulator.setInCampaign(5, true)
            let result = await channel(simulator).pushLevels((1...8).map { level("SKU-\($0)", 9, $0) })
            for (index, outcome) in result.outcomes.enumerated() {
                if index == 4 {
                    guard case .permanent(let message) = outcome else {
                        Issue.record("expected a refusal, got \(outcome)")
                        continue
                    }
                    #expect(message.contains("active campaign"))
                } else {
                    #expect(outcome == .ok)
                }
            }
            #expect(simulator.stock(of: 5) == 1)
            #expect((1...8).filter { $0 != 5 }.allSatisfy { simulator.stock(of: $0) == 9 })
            #expect(simulator.requests.count < 2 * 8)
        }
    }

    @Test("429 without Retry-After waits the default, 5xx transient, bad credentials permanent, unmapped levels permanent")
    func classification() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(id: 7, partNumber: "MUG", stock: 1)
            simulator.inject(.throttle(seconds: 5))
            #expect(await channel(simulator).pushLevels([level("MUG", 3, 7)]).outcomes == [.retryAfter(seconds: 30)])
            simulator.inject(.fail(status: 502))
            guard case .transient = await channel(simulator).pushLevels([level("MUG", 3, 7)]).outcomes[0] else {
                Issue.record("502 should be transient")
                return
            }
            let denied = await channel(simulator, password: "wrong").pushLevels([level("MUG", 3, 7), level("MUG", 4, 7)])
            #expect(denied.outcomes.allSatisfy { if case .permanent = $0 { true } else { false } })
            #expect(simulator.requests.filter { $0.path == "/api-3/offer/save" }.count == 3)
            let unmapped = await channel(simulator).pushLevels([level("CAP", 1, nil), level("CAP", 1, -3)])
            #expect(unmapped.outcomes.allSatisfy { if case .permanent = $0 { true } else { false } })
            #expect(simulator.stock(of: 7) == 1)
        }
    }

    @Test("an answer that is not eMAG's envelope is not taken as success; a negative value is sent as 0")
    func hostileAnswers() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(id: 7, partNumber: "MUG", stock: 4)
            simulator.answerNext(with: "<html>gateway</html>")
            guard case .transient = await channel(simulator).pushLevels([level("MUG", 3, 7)]).outcomes[0] else {
                Issue.record("an unparsable answer must not count as applied")
                return
            }
            simulator.answerNext(with: #"{"results": []}"#)
            guard case .transient = await channel(simulator).pushLevels([level("MUG", 3, 7)]).outcomes[0] else {
                Issue.record("an answer without isError must not count as applied")
                return
            }
            #expect(await channel(simulator).pushLevels([level("MUG", -5, 7)]).outcomes == [.ok])
            #expect(simulator.stock(of: 7) == 0)
            simulator.answerNext(
                with:
                    #"{"isError": false, "messages": [], "results": [{"id": 1, "part_number": "A", "general_stock": 1e30}, {"id": 2, "general_stock": -4}, {"part_number": "no id"}]}"#
            )
            let page = try await channel(simulator).fetchLevels(cursor: nil)
            #expect(page.items.map(\.available) == [0, 0])
            simulator.answerNext(with: "{not json")
            await #expect(throws: ChannelError.self) { try await channel(simulator).fetchLevels(cursor: nil) }
            simulator.answerNext(with: #"{"isError": true, "messages": ["Invalid vendor ip"], "results": []}"#)
            await #expect(throws: ChannelError.self) { try await channel(simulator).fetchOrders(since: nil) }
        }
    }

    @Test("requests keep to the documented 3 a second: paced, none is throttled; unpaced, eMAG answers 429")
    func pacing() async throws {
        try await withSimulator(Self.simulator(enforcesRateLimits: true)) { simulator in
            for id in 1...10 { simulator.addOffer(id: id, partNumber: "SKU-\(id)", stock: 0) }
            let paced = channel(simulator, batchSize: 2, spacing: EmagConfiguration.documentedSpacing)
            let start = ContinuousClock.now
            let result = await paced.pushLevels((1...10).map { level("SKU-\($0)", 1, $0) })
            _ = try await paced.fetchLevels(cursor: nil)
            #expect(result.outcomes == Array(repeating: .ok, count: 10))
            #expect(ContinuousClock.now - start >= .milliseconds(1400))
            try await Task.sleep(for: .seconds(1))
            simulator.clearRequests()
            let unpaced = await channel(simulator, batchSize: 1).pushLevels((1...6).map { level("SKU-\($0)", 2, $0) })
            #expect(unpaced.outcomes == [.ok, .ok, .ok, .retryAfter(seconds: 30), .retryAfter(seconds: 30), .retryAfter(seconds: 30)])
            #expect(simulator.requests.count == 4, "after the 429 the rest of the backlog is not sent")
        }
    }

    @Test("product_offer/read pages by currentPage; SKU is part_number, barcode the first ean, the level general_stock")
    func levels() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            for id in 1...250 { simulator.addOffer(id: id, partNumber: "SKU-\(id)", eans: id == 3 ? ["5941234567890"] : [], stock: id) }
            simulator.putOrder(.init(id: 900, status: 1, products: [(3, "SKU-3", 2, 1)], modified: "2026-11-30 10:00:00"))
            let (pages, items) = try await allLevels(channel(simulator))
            #expect(pages == 3)
            #expect(items.count == 250)
            let third = try #require(items.first { $0.externalID == "3" })
            #expect(third.sku == "SKU-3")
            #expect(third.barcode == "5941234567890")
            #expect(third.available == 1)
            let bySKU = try await channel(simulator).discoverListings(skus: ["SKU-7", "SKU-999"])
            #expect(bySKU == ["SKU-7": "7"])
            let byBarcode = try await channel(simulator).catalogueItems(matching: ["5941234567890"], by: .barcode)
            #expect(byBarcode.map(\.externalID) == ["3"])
        }
    }

    @Test("order/read: statuses become events, removed products are left out, pages share one start, the cursor is the latest modified")
    func orders() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.addOffer(id: 1, partNumber: "MUG", stock: 50)
            simulator.putOrder(.init(id: 11, status: 1, products: [(1, "MUG", 2, 1), (1, "MUG", 5, 0)], modified: "2026-11-30 08:00:00"))
            simulator.putOrder(.init(id: 12, status: 4, products: [(1, "MUG", 1, 1)], modified: "2026-11-30 09:30:00"))
            simulator.putOrder(.init(id: 13, status: 0, products: [(1, "MUG", 3, 1)], modified: "2026-11-30 09:00:00"))
            simulator.putOrder(.init(id: 14, status: 9, products: [(1, "MUG", 1, 1)], modified: "2026-11-30 07:00:00"))
            let adapter = channel(simulator, pageSize: 2)
            let first = try await adapter.fetchOrders(since: nil)
            #expect(first.hasMore)
            #expect(first.items.map(\.id) == ["emag-order-11/orderCreated", "emag-order-12/orderCreated", "emag-order-12/orderFulfilled"])
            #expect(first.items[0].lines.map(\.quantity) == [2])
            #expect(first.items[0].lines.first?.externalID == "1")
            #expect(first.items[0].lines.first?.sku == "MUG")
            let second = try await adapter.fetchOrders(since: first.nextCursor)
            #expect(second.items.map(\.id) == ["emag-order-13/orderCancelled"])
            let third = try await adapter.fetchOrders(since: second.nextCursor)
            #expect(third.items.isEmpty && !third.hasMore)
            #expect(third.nextCursor == "2026-11-30 09:30:00")
            #expect(simulator.requests.allSatisfy { $0.bodyText.contains(#""modifiedAfter":"1969-12-31 23:00:00""#) })
            simulator.clearRequests()
            simulator.putOrder(.init(id: 15, status: 2, products: [(1, "MUG", 1, 1)], modified: "2026-11-30 09:10:00"))
            let next = try await channel(simulator).fetchOrders(since: third.nextCursor)
            #expect(next.items.map(\.id).contains("emag-order-15/orderCreated"))
            #expect(simulator.requests.first?.bodyText.contains(#""modifiedAfter":"2026-11-30 08:30:00""#) == true)
            #expect(simulator.requests.allSatisfy { $0.path == "/api-3/order/read" })
        }
    }

    @Test("hostile order data does not trap: huge and negative quantities pass through for the ledger to refuse, an order without id throws")
    func hostileOrders() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            simulator.answerNext(
                with:
                    #"{"isError": false, "messages": [], "results": [{"id": 1, "status": 1, "modified": "2026-11-30 08:00:00", "products": [{"product_id": 1, "part_number": "A", "quantity": 1e40, "status": 1}, {"product_id": 2, "part_number": "B", "quantity": -3, "status": 1}]}]}"#
            )
            let page = try await channel(simulator).fetchOrders(since: nil)
            #expect(page.items.first?.lines.map(\.quantity) == [0, -3])
            simulator.answerNext(with: #"{"isError": false, "messages": [], "results": [{"status": 1}]}"#)
            await #expect(throws: ChannelError.self) { try await channel(simulator).fetchOrders(since: nil) }
        }
    }

    @Test("callbacks are unsigned: none is accepted, orders are polled")
    func noWebhooks() async throws {
        try await withSimulator(Self.simulator()) { simulator in
            let adapter = channel(simulator)
            #expect(adapter.verifyWebhook(headers: headers([]), body: bytes("order_id=1"), now: Date()) != .verified)
            #expect(EmagChannel.capabilities.pollsOrders)
        }
    }
}
