import ChannelSimulators
import Foundation

/// Where a buyer of the sales day shops.
enum SalesDayCounter: String, CaseIterable, Sendable {
    case webshop, woocommerce, allegro, erli
    /// Click-and-collect at the store, through the store's own web page (omnistock-json).
    case clickAndCollect = "click-and-collect"
    /// A walk-in at the store's till: sold from the store's stock in the ledger at once.
    case walkIn = "walk-in"

    /// Share of the day's buyers.
    var share: Double {
        switch self {
        case .webshop: 0.30
        case .woocommerce: 0.15
        case .allegro: 0.27
        case .erli: 0.13
        case .clickAndCollect: 0.08
        case .walkIn: 0.07
        }
    }
}

/// A seeded, compressed sales day (issue 17): the catalogue's stock and every buyer's arrival, the same for every
/// policy compared. Buyers arrive by a Poisson process, pick SKUs by a Zipf popularity, and flash sales add bursts
/// on a few popular SKUs on one channel. Stock follows the expected demand with a long tail of one to three units,
/// so that many SKUs sell out during the day.
package struct SalesDayPlan: Sendable {
    /// What the day is made of; the same parameters give the same day.
    package struct Parameters: Sendable, CustomStringConvertible {
        package var seed: UInt64 = 17
        package var skus = 300
        /// Wall seconds the day is played in.
        package var seconds = 180.0
        /// Buyers a wall second, flash sales not included.
        package var buyersPerSecond = 10.0
        package var flashSales = 3
        package var flashSeconds = 6.0
        package var flashBuyersPerSecond = 8.0
        /// Trading seconds a wall second stands for (for the report; lags are not scaled).
        package var compression = 60.0

        package init() {}

        package var description: String {
            "seed \(seed), \(skus) SKUs, \(Int(seconds)) s (×\(Int(compression)) compressed: \(Int(seconds * compression / 60)) min of trading), "
                + "\(buyersPerSecond) buyers/s, \(flashSales) flash sales of \(Int(flashSeconds)) s at \(flashBuyersPerSecond)/s"
        }
    }

    struct Arrival: Sendable {
        /// Wall seconds from the start.
        var at: Double
        var counter: SalesDayCounter
        var sku: Int
        var quantity: Int
    }

    let parameters: Parameters
    /// Units per SKU in the warehouse that feeds the online channels.
    let warehouseStock: [Int]
    /// Units per SKU in the store (walk-ins and click-and-collect).
    let storeStock: [Int]
    let arrivals: [Arrival]

    init(_ parameters: Parameters) {
        self.parameters = parameters
        var random = SeededGenerator(seed: parameters.seed)
        let count = parameters.skus
        let weights = (1...count).map { 1 / Double($0) }
        let total = weights.reduce(0, +)
        let popularity = weights.map { $0 / total }
        let cumulative = popularity.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1) }
        func pickSKU() -> Int {
            let u = Double.random(in: 0..<1, using: &random)
            return min(count - 1, cumulative.firstIndex { $0 > u } ?? count - 1)
        }
        func quantity() -> Int { Double.random(in: 0..<1, using: &random) < 0.85 ? 1 : 2 }

        var arrivals: [Arrival] = []
        var clock = 0.0
        let counters = SalesDayCounter.allCases
        let shares = counters.map(\.share).reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1) }
        while true {
            clock += -log(1 - Double.random(in: 0..<1, using: &random)) / parameters.buyersPerSecond
            guard clock < parameters.seconds else { break }
            let u = Double.random(in: 0..<(shares.last ?? 1), using: &random)
            let counter = counters[shares.firstIndex { $0 > u } ?? 0]
            arrivals.append(Arrival(at: clock, counter: counter, sku: pickSKU(), quantity: quantity()))
        }
        var flashDemand = [Int](repeating: 0, count: count)
        for index in 0..<parameters.flashSales {
            let sku = Int.random(in: 0..<min(count, 20), using: &random)
            let counter: SalesDayCounter = index % 2 == 0 ? .allegro : .webshop
            var at = parameters.seconds * Double(index + 1) / Double(parameters.flashSales + 1)
            let end = at + parameters.flashSeconds
            while true {
                at += -log(1 - Double.random(in: 0..<1, using: &random)) / parameters.flashBuyersPerSecond
                guard at < end else { break }
                arrivals.append(Arrival(at: at, counter: counter, sku: sku, quantity: 1))
                flashDemand[sku] += 1
            }
        }
        self.arrivals = arrivals.sorted { $0.at < $1.at }

        let expected = arrivals.count(where: { $0.counter != .walkIn && $0.counter != .clickAndCollect })
        warehouseStock = (0..<count).map { index in
            let demand = Double(expected) * popularity[index] * 1.15 + Double(flashDemand[index]) * 0.8
            return max(1, Int((demand * Double.random(in: 0.5...1.2, using: &random)).rounded()))
        }
        storeStock = (0..<count).map { _ in Int.random(in: 0...3, using: &random) }
    }
}
