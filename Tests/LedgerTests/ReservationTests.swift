import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

@Suite struct ReservationTests {
    let fixture: LedgerFixture
    var ledger: StockLedger { fixture.ledger }
    let sku = "MUG"
    let warehouse = LedgerFixture.warehouse

    init() throws { fixture = try LedgerFixture(maxConnections: 16) }

    @Test func reserveHoldsStockAndIsIdempotent() throws {
        _ = try ledger.receive(sku: sku, location: warehouse, quantity: 5, key: "r")
        let request = ReservationRequest(sku: sku, location: warehouse, quantity: 2, kind: .checkout, channel: "webshop", externalRef: "cart-9")
        let first = try ledger.reserve(request, key: "cart-9")
        let again = try ledger.reserve(request, key: "cart-9")
        #expect(first == again)
        #expect(first.reservation.id.hasPrefix("r_"))
        #expect(first.level?.reserved == 2)
        #expect(first.level?.available == 3)
        #expect(try fixture.scalar("SELECT count(*) FROM reservations") == 1)
        #expect(throws: LedgerError.insufficientStock(sku: sku, location: warehouse, requested: 4, available: 3)) {
            try ledger.reserve(ReservationRequest(sku: sku, location: warehouse, quantity: 4, kind: .order), key: "big")
        }
    }

    /// Ids follow the ULID layout: `r_`, 10 characters of millisecond time, 16 random, Crockford base32.
    @Test func reservationIDsCarryTheirTimeAndDiffer() throws {
        _ = try ledger.receive(sku: sku, location: warehouse, quantity: 50, key: "r")
        let before = Date()
        let ids = try (0..<20).map {
            try ledger.reserve(ReservationRequest(sku: sku, location: warehouse, quantity: 1, kind: .order), key: "id-\($0)").reservation.id
        }
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        #expect(Set(ids).count == 20)
        for id in ids {
            #expect(id.count == 28 && id.hasPrefix("r_"))
            #expect(id.dropFirst(2).allSatisfy(alphabet.contains))
            let milliseconds = id.dropFirst(2).prefix(10).reduce(0) { $0 * 32 + alphabet.firstIndex(of: $1)! }
            let made = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            #expect(made >= before.addingTimeInterval(-0.001) && made <= Date(), "\(id) carries \(made)")
        }
    }

    @Test func releaseAndCommit() throws {
        _ = try ledger.receive(sku: sku, location: warehouse, quantity: 5, key: "r")
        let a = try ledger.reserve(ReservationRequest(sku: sku, location: warehouse, quantity: 2, kind: .order), key: "a").reservation
        let b = try ledger.reserve(ReservationRequest(sku: sku, location: warehouse, quantity: 1, kind: .order), key: "b").reservation

        let released = try ledger.release(reservationID: a.id)
        #expect(released.reservation.status == .released)
        #expect(released.level?.reserved == 1)
        #expect(try ledger.release(reservationID: a.id).reservation.status == .released, "releasing twice is harmless")
        #expect(throws: LedgerError.reservationNotActive(id: a.id, status: .released)) { try ledger.commit(reservationID: a.id) }

        let committed = try ledger.commit(reservationID: b.id)
        #expect(committed.level?.onHand == 4)
        #expect(committed.level?.reserved == 0)
        #expect(try ledger.commit(reservationID: b.id) == committed, "a repeated commit returns the first result")
        #expect(throws: LedgerError.unknownReservation("r_missing")) { try ledger.release(reservationID: "r_missing") }
        #expect(try ledger.verify().isEmpty)
    }

    @Test func dueReservationsExpire() throws {
        _ = try ledger.receive(sku: sku, location: warehouse, quantity: 5, key: "r")
        let now = Date()
        let due = try ledger.reserve(
            ReservationRequest(sku: sku, location: warehouse, quantity: 2, kind: .checkout, expiresAt: now.addingTimeInterval(-1)), key: "due")
        let later = try ledger.reserve(
            ReservationRequest(sku: sku, location: warehouse, quantity: 1, kind: .checkout, expiresAt: now.addingTimeInterval(3600)), key: "later")
        let expired = try ledger.expireDueReservations(now: now)
        #expect(expired.map(\.id) == [due.reservation.id])
        #expect(try ledger.expireDueReservations(now: now).isEmpty, "expiry runs once per reservation")
        #expect(try ledger.reservation(id: due.reservation.id)?.status == .expired)
        #expect(try ledger.reservation(id: later.reservation.id)?.status == .active)
        #expect(try ledger.stock(sku: sku).locations.first { $0.location == warehouse }?.reserved == 1)
        #expect(try ledger.verify().isEmpty)
    }

    @Test func concurrentReservationsNeverOversell() throws {
        _ = try ledger.receive(sku: sku, location: warehouse, quantity: 10, key: "r")
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 48) { index in
            do {
                _ = try ledger.reserve(ReservationRequest(sku: sku, location: warehouse, quantity: 1, kind: .checkout), key: "race-\(index)")
                outcomes.record(success: true)
            } catch LedgerError.insufficientStock {
                outcomes.record(success: false)
            } catch {
                outcomes.record(error: error)
            }
        }
        #expect(outcomes.errors.isEmpty, "\(outcomes.errors)")
        #expect(outcomes.successes == 10)
        #expect(outcomes.refusals == 38)
        let level = try #require(ledger.stock(sku: sku).locations.first { $0.location == warehouse })
        #expect(level.reserved == 10)
        #expect(level.available == 0)
        #expect(try ledger.verify().isEmpty)
    }

    @Test func concurrentRepeatsOfOneKeyReserveOnce() throws {
        _ = try ledger.receive(sku: sku, location: warehouse, quantity: 10, key: "r")
        let ids = IDs()
        let request = ReservationRequest(sku: sku, location: warehouse, quantity: 1, kind: .order, externalRef: "WEB-1")
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            ids.add(try! ledger.reserve(request, key: "same-key").reservation.id)
        }
        #expect(Set(ids.values).count == 1)
        #expect(try fixture.scalar("SELECT reserved FROM levels WHERE sku = $1", [sku]) == 1)
    }
}

final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var successes = 0
    private(set) var refusals = 0
    private(set) var errors: [String] = []
    func record(success: Bool) { lock.withLock { if success { successes += 1 } else { refusals += 1 } } }
    func record(error: any Error) { lock.withLock { errors.append(String(describing: error)) } }
}

final class IDs: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [String] = []
    func add(_ id: String) { lock.withLock { values.append(id) } }
}
