import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Testing

@Suite("prestashop channel against its simulator")
struct PrestaShopChannelTests {
    static let key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

    func channel(
        _ simulator: PrestaShopSimulator, key: String = key, pageSize: Int = 100, unmanaged: UntrackedStockPolicy = .enable,
        orderOverlap: TimeInterval = 300
    ) -> PrestaShopChannel {
        PrestaShopChannel(
            configuration: PrestaShopConfiguration(
                shopURL: simulator.baseURL, key: key, pageSize: pageSize, unmanaged: unmanaged, orderOverlap: orderOverlap),
            client: sharedClient)
    }

    func level(_ sku: String, _ value: Int, _ stock: Int?) -> ChannelLevel {
        ChannelLevel(sku: sku, location: ChannelLevel.pooled, value: value, version: 1, externalID: stock.map(String.init))
    }

    @Test("push: GET the stock_available, PUT it back whole as XML with the new quantity, key as Basic user")
    func push() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            let mug = simulator.addProduct(reference: "MUG", quantity: 1, outOfStock: 0)
            let cap = simulator.addProduct(reference: "CAP", quantity: 4)
            let result = await channel(simulator).pushLevels([level("MUG", 5, mug.stock), level("CAP", 0, cap.stock)])
            #expect(result.outcomes == [.ok, .ok])
            #expect(simulator.stock(mug.stock)?.quantity == 5)
            #expect(simulator.stock(cap.stock)?.quantity == 0)
            #expect(simulator.stock(mug.stock)?.outOfStock == 0 && simulator.stock(cap.stock)?.outOfStock == 2, "left as they were")
            #expect(simulator.requests.map(\.method) == ["GET", "PUT", "GET", "PUT"])
            #expect(simulator.requests.allSatisfy { $0.header("authorization") == "Basic " + Data("\(Self.key):".utf8).base64EncodedString() })
            #expect(simulator.requests.allSatisfy { $0.query?.contains("output_format=JSON") == true })
            #expect(simulator.requests[1].bodyText.hasPrefix("<?xml"))
            #expect(simulator.requests[1].header("content-type") == "application/xml")
        }
    }

    @Test("the PUT escapes what it copies back: a shelf location with < & \" survives")
    func xmlEscaping() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            let mug = simulator.addProduct(reference: "MUG", quantity: 1)
            let shelf = "Aisle <3> & \"B\" 'top' ]]> café"
            simulator.editStock(mug.stock) { $0.location = shelf }
            #expect(await channel(simulator).pushLevels([level("MUG", 7, mug.stock)]).outcomes == [.ok])
            #expect(simulator.stock(mug.stock)?.location == shelf)
            #expect(simulator.stock(mug.stock)?.quantity == 7)
        }
    }

    @Test("quantities PrestaShop cannot store are refused before any request; unmapped levels are refused")
    func rangeChecks() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            let mug = simulator.addProduct(reference: "MUG", quantity: 1)
            let outcomes = await channel(simulator).pushLevels([
                level("MUG", Int(Int32.max) + 1, mug.stock), level("MUG", -1, mug.stock), level("MUG", Int.max, mug.stock),
                level("NOID", 1, nil), ChannelLevel(sku: "MUG", location: "store-krakow", value: 1, version: 1, externalID: "\(mug.stock)"),
            ]).outcomes
            for outcome in outcomes {
                guard case .permanent = outcome else {
                    Issue.record("\(outcome)")
                    continue
                }
            }
            #expect(simulator.requests.isEmpty)
            #expect(simulator.stock(mug.stock)?.quantity == 1)
            #expect(await channel(simulator).pushLevels([level("MUG", Int(Int32.max), mug.stock)]).outcomes == [.ok])
            #expect(simulator.stock(mug.stock)?.quantity == Int(Int32.max))
        }
    }

    @Test("429 Retry-After, 5xx transient, wrong key or a key without PUT permanent, unknown row permanent")
    func classification() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            let levels = [level("MUG", 4, simulator.addProduct(reference: "MUG", quantity: 1).stock)]
            simulator.inject(.fail(status: 429, retryAfter: 11))
            #expect(await channel(simulator).pushLevels(levels).outcomes == [.retryAfter(seconds: 11)])
            simulator.inject(.fail(status: 503, retryAfter: 3))
            #expect(await channel(simulator).pushLevels(levels).outcomes == [.retryAfter(seconds: 3)])
            simulator.inject(.fail(status: 500))
            guard case .transient = await channel(simulator).pushLevels(levels).outcomes[0] else {
                Issue.record("500")
                return
            }
            guard case .permanent(let wrongKey) = await channel(simulator, key: "WRONG").pushLevels(levels).outcomes[0] else {
                Issue.record("401")
                return
            }
            #expect(wrongKey.hasPrefix("HTTP 401"))
            simulator.allowMethods(["GET"])
            guard case .permanent(let noPut) = await channel(simulator).pushLevels(levels).outcomes[0] else {
                Issue.record("no PUT permission")
                return
            }
            #expect(noPut.contains("No permission"))
            simulator.allowMethods(["GET", "PUT"])
            guard case .permanent(let gone) = await channel(simulator).pushLevels([level("GONE", 1, 999_999)]).outcomes[0] else {
                Issue.record("404")
                return
            }
            #expect(gone.hasPrefix("HTTP 404"))
        }
    }

    @Test("backorders (out_of_stock = 1): untracked on read; enable denies them with the push, flag reports them")
    func backorders() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            let mug = simulator.addProduct(reference: "MUG", quantity: 0, outOfStock: 1)
            let cap = simulator.addProduct(reference: "CAP", quantity: 0, outOfStock: 1)
            let snapshots = try await allLevels(channel(simulator)).items
            #expect(snapshots.map(\.tracksStock) == [false, false])

            #expect(await channel(simulator).pushLevels([level("MUG", 3, mug.stock)]).outcomes == [.ok])
            #expect(simulator.stock(mug.stock)?.outOfStock == 0 && simulator.stock(mug.stock)?.quantity == 3)

            let flagged = await channel(simulator, unmanaged: .flag).pushLevels([level("CAP", 2, cap.stock)]).items[0]
            #expect(flagged.issue?.kind == .unmanagedListing)
            guard case .permanent = flagged.outcome else {
                Issue.record("\(flagged.outcome)")
                return
            }
            #expect(simulator.stock(cap.stock)?.outOfStock == 1 && simulator.stock(cap.stock)?.quantity == 2, "the quantity is set, the choice kept")
        }
    }

    @Test("a row driven by advanced stock management is refused, not overwritten")
    func advancedStockManagement() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            let mug = simulator.addProduct(reference: "MUG", quantity: 4, dependsOnStock: true)
            guard case .permanent(let message) = await channel(simulator).pushLevels([level("MUG", 9, mug.stock)]).outcomes[0] else {
                Issue.record("depends_on_stock")
                return
            }
            #expect(message.contains("depends_on_stock"))
            #expect(simulator.stock(mug.stock)?.quantity == 4)
            #expect(simulator.requests.map(\.method) == ["GET"])
        }
    }

    @Test("levels page by limit=offset,count; combinations carry their own reference; the product's sum row is left out")
    func levelPaging() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            simulator.addProduct(reference: "A", quantity: 1, ean13: "5901234123457")
            let shirt = simulator.addProductWithCombinations(reference: "TSHIRT", combinations: [("TSHIRT-S", 3), ("TSHIRT-M", 4)])
            simulator.addProduct(reference: "B", quantity: 2)
            simulator.addProduct(reference: "C", quantity: 5)
            let channel = channel(simulator, pageSize: 2)
            let (pages, all) = try await allLevels(channel)
            #expect(pages == 4, "6 rows, 2 a page, and a last empty page: no total is given")
            #expect(all.map(\.sku) == ["A", "TSHIRT-S", "TSHIRT-M", "B", "C"])
            #expect(all.map(\.available) == [1, 3, 4, 2, 5])
            #expect(all[0].barcode == "5901234123457")
            #expect(!all.contains { $0.externalID == "\(shirt.total)" })
            let listings = try await channel.discoverListings(skus: ["TSHIRT-M", "C", "TSHIRT", "NOPE"])
            #expect(listings == ["TSHIRT-M": "\(shirt.stocks[1])", "C": all[4].externalID!])
            let byBarcode = try await channel.catalogueItems(matching: ["5901234123457"], by: .barcode)
            #expect(byBarcode.map(\.sku) == ["A"])

            #expect(await channel.pushLevels([level("TSHIRT-S", 10, shirt.stocks[0])]).outcomes == [.ok])
            #expect(simulator.stock(shirt.total)?.quantity == 14, "the shop keeps the product row as the sum")
        }
    }

    @Test("hostile answers: malformed JSON, missing fields and numbers beyond Int are errors or zero, never a trap")
    func hostileAnswers() async throws {
        try await withSimulator(PrestaShopSimulator(key: Self.key)) { simulator in
            let mug = simulator.addProduct(reference: "MUG", quantity: 1)
            let channel = channel(simulator)
            simulator.answerNext(with: "{\"stock_availables\": [")
            await #expect(throws: ChannelError.self) { try await channel.fetchLevels(cursor: nil) }
            simulator.answerNext(with: "\"just a string\"")
            await #expect(throws: ChannelError.self) { try await channel.fetchLevels(cursor: nil) }
            simulator.answerNext(with: #"{"stock_availables": [{"quantity": "1"}]}"#)
            await #expect(throws: ChannelError.self) { try await channel.fetchLevels(cursor: nil) }
            simulator.answerNext(
                with:
                    #"{"stock_availables": [{"id": 9, "id_product": "5", "id_product_attribute": "99999999999999999999999", "quantity": "99999999999999999999"}]}"#
            )
            simulator.answerNext(with: "[]")
            simulator.answerNext(with: "[]")
            let huge = try await channel.fetchLevels(cursor: nil).items
            #expect(huge.map(\.available) == [0] && huge.map(\.sku) == [nil])
            simulator.answerNext(with: #"{"stock_available": {"id": 5}}"#)
            guard case .permanent = await channel.pushLevels([level("MUG", 2, mug.stock)]).outcomes[0] else {
                Issue.record("a stock row without id_product must not be PUT")
                return
            }
            simulator.answerNext(with: "not json")
            await #expect(throws: ChannelError.self) { try await channel.fetchOrders(since: nil) }
            #expect(simulator.stock(mug.stock)?.quantity == 1)
        }
    }
}
