import Foundation
import Hummingbird
import Ledger

extension AdminAPI {
    /// The body of `POST /v1/reservations`.
    struct ReservationBody: Decodable, Sendable {
        var sku: String
        var location: String
        var quantity: Int
        var kind: ReservationKind?
        var channel: String?
        var externalRef: String?
        var expiresAt: Date?

        var request: ReservationRequest {
            ReservationRequest(
                sku: sku, location: location, quantity: quantity, kind: kind ?? .order, channel: channel,
                externalRef: externalRef, expiresAt: expiresAt)
        }
    }

    /// `POST /v1/reservations` (with `Idempotency-Key`), `POST /v1/reservations/{id}/release|commit`.
    func registerReservations(write: Group) {
        write.post("/reservations") { request, context in
            var request = request
            let key = try Self.idempotencyKey(request, required: true)!
            let body = try await JSONBody.decode(ReservationBody.self, from: &request, limit: maxBodyBytes)
            let (receipt, replayed) = try await self.write(key: key) { ledger in try ledger.reserve(body.request, key: key) }
            return JSONBody.response(receipt, status: replayed ? .ok : .created)
        }
        write.post("/reservations/{id}/release") { request, context in
            try await finish(request, context: context) { ledger, id, key in try ledger.release(reservationID: id, key: key) }
        }
        write.post("/reservations/{id}/commit") { request, context in
            try await finish(request, context: context) { ledger, id, key in try ledger.commit(reservationID: id, key: key) }
        }
    }

    private func finish(
        _ request: Request, context: BasicRequestContext,
        _ action: @escaping @Sendable (StockLedger, String, String?) throws -> ReservationReceipt
    ) async throws -> Response {
        let id = try context.parameters.require("id")
        let key = try Self.idempotencyKey(request, required: false)
        let ledger = ledger
        return JSONBody.response(try await database.run { _ in try action(ledger, id, key) })
    }
}
