import ChannelVocabulary
import Foundation
import Ledger
import Server
import TestSupport
import Testing

/// Not a test by itself: with `OMNISTOCK_FUZZ_PORT` set, serves a seeded server on that port until the
/// file `OMNISTOCK_FUZZ_STOP_FILE` appears (or `OMNISTOCK_FUZZ_SECONDS` pass), for `schemathesis.sh --local`.
@Suite("fuzz target")
struct FuzzTargetServer {
    static let environment = ProcessInfo.processInfo.environment

    @Test("serve for schemathesis", .enabled(if: environment["OMNISTOCK_FUZZ_PORT"] != nil))
    func serve() async throws {
        let port = try #require(Self.environment["OMNISTOCK_FUZZ_PORT"].flatMap(Int.init))
        let deadline = ContinuousClock.now + .seconds(Int(Self.environment["OMNISTOCK_FUZZ_SECONDS"] ?? "") ?? 900)
        let stopFile = Self.environment["OMNISTOCK_FUZZ_STOP_FILE"]
        try await ServerHarness.with(adjust: { settings in
            settings.port = port
            settings.tokenRateLimit = nil
            settings.channelRateLimit = nil
        }) { server in
            _ = try server.fixture.ledger.receive(sku: "MUG", location: "wh-main", quantity: 50, key: "fuzz-seed")
            _ = try server.fixture.ledger.receive(sku: "MUG", location: "store-krakow", quantity: 5, key: "fuzz-seed-store")
            print("fuzz target listening on \(server.baseURL)")
            while ContinuousClock.now < deadline, !(stopFile.map { FileManager.default.fileExists(atPath: $0) } ?? false) {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
