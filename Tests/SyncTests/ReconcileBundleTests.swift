import ChannelSimulators
import ChannelVocabulary
import Channels
import Foundation
import Ledger
import PostgresClient
import Sync
import TestSupport
import Testing

/// Reconcile and bundles: a bundle's listing is compared with the bundle availability and repaired like any other;
/// a store's count of a bundle is no stock of the bundle (its stock is its components').
@Suite struct ReconcileBundleTests {
    typealias Harness = ReconcileHarness

    @Test func aBundleIsComparedByItsComponentsAndAStoreCountOfItBooksNoStock() async throws {
        let harness = try Harness()
        try harness.fixture.catalog.defineBundle("MUG-CAP", components: ["MUG": 1, "CAP": 1])
        let pos = try await harness.addStore()
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.store, quantity: 4, key: "m")
        _ = try harness.ledger.receive(sku: "CAP", location: Harness.store, quantity: 2, key: "c")
        harness.startWorker()
        #expect(await harness.eventually { pos.level(sku: "MUG-CAP", location: Harness.store)?.available == 1 && (try? harness.unpushed()) == 0 })
        await harness.stopWorker()
        pos.setLevel(sku: "MUG-CAP", location: Harness.store, available: 7, onHand: 7)

        let report = try await harness.reconcile()
        #expect(
            report.findings.contains { $0.kind == .drift && $0.sku == "MUG-CAP" && $0.ledgerValue == 1 }, "min(4, 2) less the pickup buffer of 1")
        #expect(!report.findings.contains { $0.kind == .countMismatch })
        #expect(try harness.fixture.scalar("SELECT count(*)::int FROM levels WHERE sku = 'MUG-CAP'") == 0)
        #expect(try harness.ledger.verifyBundles().isEmpty)
        harness.startWorker()
        #expect(await harness.eventually { pos.level(sku: "MUG-CAP", location: Harness.store)?.available == 1 }, "ledger wins")
        await harness.shutdown()
    }
}
