/// The range a quantity may take in the ledger. Quantity columns are PostgreSQL `int` (32 bits), so
/// every number that crosses a boundary (API, webhook, CSV, channel read) is checked against this range
/// before it is used: arithmetic on a checked quantity cannot trap, and the database never sees a value
/// it would refuse halfway through a transaction.
package enum QuantityRange {
    /// The largest quantity (and the largest magnitude of a delta) the ledger stores.
    package static let maximum = Int(Int32.max)

    /// Whether `value` is a quantity the ledger can hold (`0…maximum`).
    package static func holds(_ value: Int) -> Bool { (0...maximum).contains(value) }

    /// Whether `value` is a change the ledger can apply (`-maximum…maximum`).
    package static func holdsDelta(_ value: Int) -> Bool { (-maximum...maximum).contains(value) }

    /// Throws `invalidArgument` unless `value` is in `1…maximum`.
    static func requirePositive(_ value: Int, _ what: String = "quantity") throws {
        guard value > 0, value <= maximum else {
            throw LedgerError.invalidArgument("\(what) out of range: it must be a whole number from 1 to \(maximum)")
        }
    }

    /// Throws `invalidArgument` unless `value` is in `0…maximum`.
    static func requireNonNegative(_ value: Int, _ what: String) throws {
        guard holds(value) else { throw LedgerError.invalidArgument("\(what) out of range: it must be a whole number from 0 to \(maximum)") }
    }

    /// Throws `invalidArgument` unless `value` is a non-zero change within `-maximum…maximum`.
    static func requireDelta(_ value: Int, _ what: String = "delta") throws {
        guard value != 0, holdsDelta(value) else {
            throw LedgerError.invalidArgument("\(what) out of range: it must be a non-zero whole number from -\(maximum) to \(maximum)")
        }
    }
}
