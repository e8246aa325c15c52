import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// Wake-ups after a burst of batches: one at once, one owed to the interval's end, none lost.
@Suite struct WakeCoalescerTests {
    /// Twenty batches stored one after the other within the interval wake the event processor twice: at once after
    /// the first, and once at the interval's end for the other nineteen. Each batch sent its own wake-up before.
    @Test func aBurstOfBatchesWakesOnceAtOnceAndOnceAtTheIntervalsEnd() throws {
        let database = try TestDatabase.make()
        let (received, listener) = try ReceivedWakeUps.listening(to: .inbox, in: database)
        defer { listener.stop() }
        let wake = WakeCoalescer(.inbox, pool: database.pool, interval: .seconds(1))
        let started = Date()
        for n in 0..<20 {
            let delivery = InboxStore.Delivery(channel: "webshop", eventID: "e\(n)", headers: [:], payload: "{}")
            #expect(try InboxStore.store([delivery], pool: database.pool, wake: wake) == [.stored])
        }
        let storedIn = Date().timeIntervalSince(started)
        try #require(storedIn < 0.8, "the twenty batches must fit in the interval for this test (took \(storedIn) s)")
        #expect(received.waitFor(count: 1, until: started.addingTimeInterval(0.8)), "the first wake-up went out at once")
        #expect(received.waitFor(count: 2, until: started.addingTimeInterval(5)), "the owed wake-up went out at the interval's end")
        let times = received.times.map { $0.timeIntervalSince(started) }
        #expect(times[1] >= 0.9, "the second wake-up waited for the interval (\(times))")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(received.count == 2, "nothing more was owed")
    }

    /// A wake-up asked for after the interval has passed goes out at once again.
    @Test func aWakeUpAfterTheIntervalGoesOutAtOnce() throws {
        let database = try TestDatabase.make()
        let (received, listener) = try ReceivedWakeUps.listening(to: .outbox, in: database)
        defer { listener.stop() }
        let wake = WakeCoalescer(.outbox, pool: database.pool, interval: .milliseconds(200))
        try wake.wake()
        #expect(received.waitFor(count: 1, until: Date().addingTimeInterval(5)))
        Thread.sleep(forTimeInterval: 0.3)
        let asked = Date()
        try wake.wake()
        #expect(received.waitFor(count: 2, until: asked.addingTimeInterval(5)))
        #expect(received.times[1].timeIntervalSince(asked) < 0.15, "not held back: the interval had passed")
    }
}

/// When each wake-up arrived.
final class ReceivedWakeUps: @unchecked Sendable {
    private let condition = NSCondition()
    private var arrivals: [Date] = []

    /// The wake-ups of `channel` in `database`, from a listener started now (stop it when done).
    static func listening(to channel: WakeChannel, in database: TestDatabase) throws -> (ReceivedWakeUps, NotificationListener) {
        let received = ReceivedWakeUps()
        let listener = NotificationListener(conninfo: database.url, channels: [channel.rawValue]) { _ in received.add() }
        try listener.start()
        return (received, listener)
    }

    var count: Int { condition.withLock { arrivals.count } }
    var times: [Date] { condition.withLock { arrivals } }

    func add() {
        condition.withLock {
            arrivals.append(Date())
            condition.broadcast()
        }
    }

    /// Whether `count` wake-ups had arrived by `deadline`.
    func waitFor(count: Int, until deadline: Date) -> Bool {
        condition.withLock {
            while arrivals.count < count, condition.wait(until: deadline) {}
            return arrivals.count >= count
        }
    }
}
