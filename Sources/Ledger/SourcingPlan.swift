/// Where the units of one line come from: a pure computation over the locations' available units,
/// so the rules are tested as plain values and the ledger only applies the result.
struct SourcingPlan: Equatable {
    /// Units taken per location, in the order taken.
    var takes: [(location: String, quantity: Int)]
    /// Units no location had.
    var shortfall: Int

    static func == (left: Self, right: Self) -> Bool {
        left.shortfall == right.shortfall && left.takes.elementsEqual(right.takes) { $0 == $1 }
    }

    /// The order locations are tried in: `first` (the line's or pickup store's location) ahead of all,
    /// then `candidates` (the channel's locations in priority order) ranked by `policy`. Ties keep priority
    /// order; locations the distance table does not know come after those it does.
    static func rank(
        first: String?, candidates: [String], policy: SourcingPolicy, available: [String: Int], distances: [String: Int]
    ) -> [String] {
        let rest = candidates.enumerated().filter { $0.element != first }
        let ranked: [String]
        switch policy {
        case .priority:
            ranked = rest.map(\.element)
        case .nearest:
            ranked = rest.sorted {
                let (left, right) = (distances[$0.element] ?? .max, distances[$1.element] ?? .max)
                return left != right ? left < right : $0.offset < $1.offset
            }.map(\.element)
        case .mostAvailable:
            ranked = rest.sorted {
                let (left, right) = (available[$0.element] ?? 0, available[$1.element] ?? 0)
                return left != right ? left > right : $0.offset < $1.offset
            }.map(\.element)
        }
        return (first.map { [$0] } ?? []) + ranked
    }

    /// Takes `quantity` units from `ranked` locations in turn, as far as `available` goes (which it lowers).
    static func allocate(_ quantity: Int, from ranked: [String], available: inout [String: Int]) -> SourcingPlan {
        var remaining = quantity
        var takes: [(location: String, quantity: Int)] = []
        for location in ranked where remaining > 0 {
            let take = min(remaining, max(0, available[location] ?? 0))
            guard take > 0 else { continue }
            takes.append((location, take))
            available[location, default: 0] -= take
            remaining -= take
        }
        return SourcingPlan(takes: takes, shortfall: remaining)
    }
}
