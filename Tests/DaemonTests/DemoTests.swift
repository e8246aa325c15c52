import Foundation
import TestSupport
import Testing

/// The README's first command ends in `omnistock demo`: it must tell its story and converge.
@Suite struct DemoTests {
    @Test func theDemoStoryConvergesOnEveryChannel() throws {
        let directory = NSTemporaryDirectory() + "omnistock-demo-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, output) = try DaemonProcess.run(["demo", "--data-dir", directory, "--port", "0", "--exit"], timeout: 240)
        #expect(status == 0, "\(output.suffix(3000))")
        #expect(output.contains("catalogue: 300 SKUs"))
        #expect(output.contains("store-krakow POS shows 0, holds 1 pickup reservation(s)"), "the pickup is held at the store")
        #expect(output.contains("marketplace offer: 2 (ACTIVE), ledger says 2"), "the missed marketplace order was imported and pushed")
        #expect(output.contains("DEMO-002 on the marketplace: 7 (ledger says 7)"), "the hand edit was overwritten by the ledger")
        #expect(output.contains("drift on marketplace for DEMO-002"))
        #expect(!output.contains("the story stopped"))
        #expect(!output.contains("not settled"), "every step converged within its minute")
    }
}
