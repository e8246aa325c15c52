import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Ledger
import Logging
import PostgresClient
import Support
import Sync
import TestSupport
import Testing

/// An inbox event that can never be applied is set aside after a bounded number of attempts, and the
/// events behind it are applied: a poison event never blocks or kills the processor.
@Suite struct PoisonEventTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    func processor(_ fixture: LedgerFixture, maxAttempts: Int) -> InboxProcessor {
        let channel = OmnistockJSONChannel(
            configuration: OmnistockJSONConfiguration(baseURL: "http://127.0.0.1:1", token: "t", webhookSecrets: [Self.secret]),
            client: CurlHTTPClient())
        return InboxProcessor(
            pool: fixture.database.pool, channels: ["pos": channel], applier: EventApplier(ledger: fixture.ledger),
            backoff: Backoff(base: 0, cap: 0), maxAttempts: maxAttempts, logger: Logger(label: "test"))
    }

    func store(_ fixture: LedgerFixture, id: String, type: String, data: String) throws {
        try fixture.database.pool.execute(
            "INSERT INTO inbox (channel, event_id, payload) VALUES ('pos', $1, $2)", [id, #"{"type": "\#(type)", "data": \#(data)}"#])
    }

    @Test(
        "a stored stock.adjusted with delta Int.min (accepted by an older build) is refused by the ledger, set aside after 3 attempts, and shown in status"
    )
    func overflowingAdjustmentIsSetAside() throws {
        let fixture = try LedgerFixture()
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "pos", kind: "omnistock-json", modelsLocations: true, locations: [LedgerFixture.store]
            ).declaring(OmnistockJSONChannel.capabilities))
        _ = try fixture.ledger.receive(sku: "MUG", location: LedgerFixture.store, quantity: 5, key: "seed")
        try store(
            fixture, id: "poison", type: "stock.adjusted",
            data: #"{"sku": "MUG", "location": "store-krakow", "delta": -9223372036854775808, "reason": "damaged"}"#)
        try store(
            fixture, id: "good", type: "stock.adjusted",
            data: #"{"sku": "MUG", "location": "store-krakow", "delta": -1, "reason": "damaged"}"#)
        let inbox = processor(fixture, maxAttempts: 3)
        for _ in 0..<5 { try inbox.processDue() }
        let rows = try fixture.database.pool.query("SELECT event_id, status, attempts, error FROM inbox ORDER BY id") { rows in
            try rows.map {
                (
                    try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(Int.self, at: 2),
                    try $0.decode(String?.self, at: 3)
                )
            }
        }
        #expect(rows.map(\.0) == ["poison", "good"])
        #expect(rows[0].1 == "dead" && rows[0].2 == 3)
        #expect(rows[0].3?.contains("range") == true)
        #expect(rows[1].1 == "processed")
        #expect(try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'MUG' AND location = 'store-krakow'") == 4)
        let status = try SyncStatusReport.read(from: fixture.database.pool)
        #expect(status.inboxSetAside == 1)
        #expect(status.inboxBacklog == 0 && status.inboxFailed == 0)
        #expect(try fixture.ledger.verify().isEmpty)
        #expect(try SetAsideEvents.list(from: fixture.database.pool).map(\.eventID) == ["poison"])
    }

    @Test("a set-aside event put back in line is applied once its cause is fixed")
    func retriedAfterTheCauseIsFixed() throws {
        let fixture = try LedgerFixture()
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "pos", kind: "omnistock-json", modelsLocations: true, locations: [LedgerFixture.store]
            ).declaring(OmnistockJSONChannel.capabilities))
        try store(fixture, id: "early", type: "stock.counted", data: #"{"sku": "NEW-SKU", "location": "store-krakow", "on_hand": 3}"#)
        let inbox = processor(fixture, maxAttempts: 2)
        for _ in 0..<3 { try inbox.processDue() }
        #expect(try SetAsideEvents.list(from: fixture.database.pool).first?.error?.contains("NEW-SKU") == true)
        try fixture.catalog.upsertSKU("NEW-SKU")
        #expect(try SetAsideEvents.retry(ids: nil, in: fixture.database.pool) == 1)
        try inbox.processDue()
        #expect(try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'NEW-SKU'") == 3)
        #expect(try SetAsideEvents.list(from: fixture.database.pool).isEmpty)
    }

    @Test("an attempt is counted before the event is applied: an event whose attempts ran out (the process died applying it) is set aside unapplied")
    func attemptsCountedBeforeApplying() throws {
        let fixture = try LedgerFixture()
        try fixture.catalog.upsertChannel(
            ChannelDefinition(
                code: "pos", kind: "omnistock-json", modelsLocations: true, locations: [LedgerFixture.store]
            ).declaring(OmnistockJSONChannel.capabilities))
        _ = try fixture.ledger.receive(sku: "MUG", location: LedgerFixture.store, quantity: 5, key: "seed")
        try store(
            fixture, id: "crashed", type: "stock.adjusted",
            data: #"{"sku": "MUG", "location": "store-krakow", "delta": -2, "reason": "damaged"}"#)
        // Three starts that each died while applying it: three attempts counted, no status written.
        try fixture.database.pool.execute("UPDATE inbox SET attempts = 3")
        try processor(fixture, maxAttempts: 3).processDue()
        #expect(try fixture.database.pool.query("SELECT status FROM inbox") { try $0[0].decode(String.self, at: 0) } == "dead")
        #expect(try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'MUG' AND location = 'store-krakow'") == 5)
    }
}
