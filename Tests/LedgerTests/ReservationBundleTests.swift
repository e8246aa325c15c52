import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// Bundles: defined all or nothing; a reservation of a bundle holds every component, or none, and its
/// parts are released and committed together.
@Suite struct ReservationBundleTests {
    let fixture: LedgerFixture
    var ledger: StockLedger { fixture.ledger }
    static let wh = LedgerFixture.warehouse

    init() throws {
        fixture = try LedgerFixture(skus: ["CUP", "SAUCER", "LID"])
        try fixture.catalog.defineBundles([
            BundleDefinition(
                sku: "CUP-SET", name: "Cup and saucer",
                components: [BundleComponent(sku: "CUP", quantity: 2), BundleComponent(sku: "SAUCER", quantity: 1)])
        ])
        _ = try ledger.receive(sku: "CUP", location: Self.wh, quantity: 5, key: "c")
        _ = try ledger.receive(sku: "SAUCER", location: Self.wh, quantity: 3, key: "s")
    }

    func reserved(_ sku: String) throws -> Int {
        try fixture.scalar("SELECT COALESCE(sum(reserved), 0)::int FROM levels WHERE sku = $1", [sku])
    }

    @Test func aBundleReservationHoldsEveryComponentAndReleasesThemTogether() throws {
        let request = ReservationRequest(sku: "CUP-SET", location: Self.wh, quantity: 2, kind: .checkout, channel: "web", externalRef: "cart-1")
        let receipt = try ledger.reserve(request, key: "b1")
        #expect(receipt.reservation.sku == "CUP-SET")
        #expect(receipt.reservation.quantity == 2)
        #expect(receipt.components?.map { "\($0.sku)×\($0.quantity)" } == ["CUP×4", "SAUCER×2"])
        #expect(try reserved("CUP") == 4)
        #expect(try reserved("SAUCER") == 2)
        #expect(try ledger.reserve(request, key: "b1") == receipt, "a replay returns the first receipt")
        #expect(try reserved("CUP") == 4)
        let released = try ledger.release(reservationID: receipt.reservation.id)
        #expect(released.components?.allSatisfy { $0.status == .released } == true)
        #expect(try reserved("CUP") == 0)
        #expect(try reserved("SAUCER") == 0)
        #expect(try ledger.verify().isEmpty)
        #expect(try ledger.verifyBundles().isEmpty)
    }

    @Test func committingOnePartCommitsTheWholeBundle() throws {
        let receipt = try ledger.reserve(ReservationRequest(sku: "CUP-SET", location: Self.wh, quantity: 1, kind: .order), key: "b2")
        let part = try #require(receipt.components?.first)
        _ = try ledger.commit(reservationID: part.id)
        #expect(try fixture.scalar("SELECT count(*)::int FROM reservations WHERE status = 'committed'") == 2)
        #expect(try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'CUP'") == 3)
        #expect(try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'SAUCER'") == 2)
        #expect(throws: LedgerError.self) { try ledger.release(reservationID: receipt.reservation.id, key: "late-release") }
        #expect(try ledger.verify().isEmpty)
    }

    @Test func aBundleAComponentCannotCoverIsRefusedWhole() throws {
        #expect(throws: LedgerError.insufficientStock(sku: "CUP", location: Self.wh, requested: 6, available: 5)) {
            try ledger.reserve(ReservationRequest(sku: "CUP-SET", location: Self.wh, quantity: 3, kind: .order), key: "b3")
        }
        #expect(try reserved("CUP") == 0)
        #expect(try reserved("SAUCER") == 0)
        #expect(try fixture.scalar("SELECT count(*)::int FROM reservations") == 0)
    }

    @Test func definitionsAreCheckedAllOrNothingWithEveryProblemNamed() throws {
        let bad = [
            BundleDefinition(sku: "GIFT", components: [BundleComponent(sku: "LID", quantity: 1)]),
            BundleDefinition(sku: "KIT", components: [BundleComponent(sku: "NOPE", quantity: 1), BundleComponent(sku: "CUP-SET", quantity: 1)]),
            BundleDefinition(sku: "BIG", components: [BundleComponent(sku: "CUP", quantity: 10_001)]),
            BundleDefinition(sku: "CUP", components: [BundleComponent(sku: "LID", quantity: 1)]),
        ]
        do {
            try fixture.catalog.defineBundles(bad)
            Issue.record("accepted")
        } catch let error as BundleDefinitionError {
            #expect(error.problems.contains("KIT: unknown component SKU NOPE"))
            #expect(error.problems.contains("KIT: component CUP-SET is a bundle (bundles do not nest)"))
            #expect(error.problems.contains("BIG: quantity of CUP must be 1 to 10000, not 10001"))
            #expect(error.problems.contains("CUP: is a component of another bundle (bundles do not nest)"))
            #expect(error.problems.contains("CUP: holds stock of its own; a bundle's stock is its components'"))
        }
        #expect(try fixture.catalog.bundle("GIFT") == nil, "nothing stored, not even the good one")
        #expect(try fixture.catalog.bundles().map(\.sku) == ["CUP-SET"])
    }

    @Test func aBundleFileIsGroupedAndEveryBadRowNamed() throws {
        let rows = [
            BundleImportRow(line: 2, bundle: "GIFT", component: "CUP", quantity: "1", name: "Gift box"),
            BundleImportRow(line: 3, bundle: "GIFT", component: "LID", quantity: "2", barcode: "5901234123457"),
            BundleImportRow(line: 4, bundle: "BOX", component: "LID", quantity: "3"),
        ]
        #expect(
            try BundleDefinition.from(rows) == [
                BundleDefinition(
                    sku: "GIFT", name: "Gift box", components: [BundleComponent(sku: "CUP", quantity: 1), BundleComponent(sku: "LID", quantity: 2)],
                    barcode: "5901234123457"),
                BundleDefinition(sku: "BOX", components: [BundleComponent(sku: "LID", quantity: 3)]),
            ])
        let bad =
            rows + [
                BundleImportRow(line: 5, bundle: "BOX", component: "CUP", quantity: "-1"),
                BundleImportRow(line: 6, bundle: "BOX", component: "CUP", quantity: "99999999999999999999"),
                BundleImportRow(line: 7, bundle: "", component: "CUP", quantity: "1"),
                BundleImportRow(line: 8, bundle: "BOX", component: "LID", quantity: "1"),
                BundleImportRow(line: 9, bundle: "GIFT", component: "BAG", quantity: "1", barcode: "4006381333931"),
            ]
        #expect(
            throws: BundleDefinitionError(problems: [
                "line 5: quantity must be a whole number from 1 to 10000, not \"-1\"",
                "line 6: quantity must be a whole number from 1 to 10000, not \"99999999999999999999\"",
                "line 7: bundle_sku and component_sku are required",
                "line 8: LID is listed twice for BOX",
                "line 9: GIFT already has barcode 5901234123457",
            ])
        ) { try BundleDefinition.from(bad) }
    }

    @Test func verifyFlagsABundleHoldingStockOfItsOwn() throws {
        _ = try ledger.receive(sku: "CUP-SET", location: Self.wh, quantity: 1, key: "wrong")
        #expect(
            try ledger.verifyBundles() == [
                "CUP-SET @ wh-main: a bundle holding stock of its own (on hand 1, reserved 0); receive its components instead"
            ])
    }

    @Test func theStockReportOfABundleShowsItsComponents() throws {
        let report = try ledger.stock(sku: "CUP-SET")
        #expect(
            report.components == [
                BundleComponentStock(sku: "CUP", quantity: 2, available: 5, bundles: 2),
                BundleComponentStock(sku: "SAUCER", quantity: 1, available: 3, bundles: 3),
            ])
        #expect(try ledger.stock(sku: "CUP").components == nil)
    }
}
