import Hummingbird
import Ledger
import PostgresClient

extension APIError {
    /// The API's answer for any error a handler throws; nil for an unexpected one (answered 500 and logged).
    init?(mapping error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as LedgerError:
            self.init(ledger: error)
        case let error as BundleDefinitionError:
            self.init(.unprocessableContent, "invalid_bundle", error.problems.joined(separator: "; "))
        case let error as ListingMappingError:
            self.init(.unprocessableContent, "invalid_listing", error.problems.joined(separator: "; "))
        case let error as PostgresError where error.isDatabaseUnavailable:
            self = .databaseUnavailable
        case let error as PostgresError where error.sqlState?.hasPrefix("22") == true || error.sqlState?.hasPrefix("23") == true:
            // Data exceptions (a number out of range, say) and integrity violations: the input was wrong.
            self = .invalidRequest("a value is out of range or violates a constraint")
        case let error as HTTPError where error.status == .notFound:
            self = .notFound("not_found", "no such route")
        case let error as HTTPError where error.status == .contentTooLarge:
            self = .payloadTooLarge
        case let error as HTTPError where error.status.code < 500:
            self.init(error.status, "invalid_request", error.body ?? error.status.reasonPhrase)
        default:
            return nil
        }
    }

    private init(ledger error: LedgerError) {
        switch error {
        case .unknownSKU, .unknownLocation, .unknownReservation:
            self.init(.notFound, error.code, error.description)
        case .insufficientStock(_, _, _, let available):
            self.init(.conflict, error.code, error.description, available: available)
        case .reservationNotActive:
            self.init(.conflict, error.code, error.description)
        case .idempotencyKeyReused:
            self.init(.unprocessableContent, error.code, "the Idempotency-Key was already used for a different request")
        case .invalidArgument:
            self.init(.badRequest, error.code, error.description)
        }
    }
}
