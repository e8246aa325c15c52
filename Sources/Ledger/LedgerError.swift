/// Why a ledger operation was refused. Nothing was changed when one of these is thrown.
package enum LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The SKU is not in the catalogue.
    case unknownSKU(String)
    /// The location is not configured.
    case unknownLocation(String)
    /// The reservation id is unknown.
    case unknownReservation(String)
    /// Taking `requested` units would take `available` at the location below zero.
    case insufficientStock(sku: String, location: String, requested: Int, available: Int)
    /// The reservation is no longer active (committed, released or expired).
    case reservationNotActive(id: String, status: ReservationStatus)
    /// The idempotency key was used before for a different request.
    case idempotencyKeyReused(String)
    /// An argument is out of range (a quantity ≤ 0, say).
    case invalidArgument(String)

    /// A stable machine-readable code, used by the API and the CLI.
    package var code: String {
        switch self {
        case .unknownSKU: "unknown_sku"
        case .unknownLocation: "unknown_location"
        case .unknownReservation: "unknown_reservation"
        case .insufficientStock: "insufficient_stock"
        case .reservationNotActive: "reservation_not_active"
        case .idempotencyKeyReused: "idempotency_key_reused"
        case .invalidArgument: "invalid_request"
        }
    }

    package var description: String {
        switch self {
        case .unknownSKU(let sku): "unknown SKU \(sku)"
        case .unknownLocation(let location): "unknown location \(location)"
        case .unknownReservation(let id): "unknown reservation \(id)"
        case .insufficientStock(let sku, let location, let requested, let available):
            "insufficient stock of \(sku) at \(location): requested \(requested), available \(available)"
        case .reservationNotActive(let id, let status): "reservation \(id) is \(status.rawValue), not active"
        case .idempotencyKeyReused(let key): "idempotency key \(key) was already used for a different request"
        case .invalidArgument(let message): message
        }
    }
}
