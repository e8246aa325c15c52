import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

@testable import Benchmarks

/// The sales day's plumbing, on a short day: every order a channel accepted reaches the ledger its channel's way
/// (webhooks for the webshop, WooCommerce and click-and-collect; polled feeds for Allegro and Erli) and is either
/// reserved or counted as oversold, so the figures the bench reports add up. The figures themselves are for
/// `omnistock bench`, not asserted here.
@Suite struct SalesDayBenchTests {
    @Test func everyAcceptedOrderIsReservedOrCountedOversold() async throws {
        let database = try TestDatabase.make(maxConnections: 16)
        var parameters = SalesDayPlan.Parameters()
        parameters.skus = 40
        parameters.seconds = 8
        parameters.buyersPerSecond = 12
        parameters.flashSales = 1
        parameters.flashSeconds = 2
        let plan = SalesDayPlan(parameters)
        #expect(SalesDayPlan(parameters).arrivals.map(\.sku) == plan.arrivals.map(\.sku), "the same seed plays the same buyers")
        let ledger = StockLedger(pool: database.pool)
        let bench = SalesDayBench(pool: database.pool, ledger: ledger, plan: plan, log: { _ in })
        let outcome = try await bench.run(SalesDayBench.Policy(name: "static buffer 0"), row: 1)

        let reserved = try database.pool.query(
            "SELECT channel, sum(quantity)::int FROM reservations WHERE channel LIKE 'day1-%' GROUP BY channel"
        ) { rows in try rows.reduce(into: [String: Int]()) { $0[try $1.decode(String.self, at: 0)] = try $1.decode(Int.self, at: 1) } }
        for counter in SalesDayCounter.allCases where counter != .walkIn {
            let accepted = outcome.accepted[counter] ?? 0
            #expect(accepted > 0, "\(counter.rawValue) sold nothing: the day did not exercise it")
            #expect(
                (reserved["day1-\(counter.rawValue)"] ?? 0) + (outcome.oversold[counter] ?? 0) == accepted,
                "\(counter.rawValue): every accepted unit reaches the ledger once")
        }
        let tillSales = try database.pool.query(
            "SELECT COALESCE(sum(-delta), 0)::int FROM movements WHERE reason = 'sale' AND reference = 'walk-in'"
        ) { try $0[0].decode(Int.self, at: 0) }
        #expect(tillSales == outcome.accepted[.walkIn] ?? 0)
        #expect(try ledger.verify().isEmpty)
    }
}
