import Dispatch
import Foundation
import Logging
import Sync
import TestSupport
import Testing

@Suite struct LeaderJobTests {
    /// Fifty notifications while the job runs give one more run, not fifty: triggers made before a run starts share
    /// it. (Before, each trigger queued its own run, so a burst of webhooks ran the event processor's scan once per
    /// wake-up.)
    @Test func triggersWhileTheJobRunsShareOneRun() throws {
        let database = try TestDatabase.make()
        let elector = LeaderElector(conninfo: database.url, replica: 1, checkInterval: 0.05, logger: Logger(label: "test"))
        let runs = RunCounter()
        let firstRunMayEnd = DispatchSemaphore(value: 0)
        let job = LeaderJob("test", every: 3600, onGain: true, queue: DispatchQueue(label: "test.leader-job"), elector: elector) {
            if runs.add() == 1 { firstRunMayEnd.wait() }
        }
        elector.start()
        defer { elector.stop() }
        job.start()
        defer { job.stop() }
        let deadline = Date().addingTimeInterval(10)
        while runs.count < 1, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        try #require(runs.count == 1, "the run on gaining leadership started")
        for _ in 0..<50 { job.trigger() }
        firstRunMayEnd.signal()
        while runs.count < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(runs.count == 2)
        job.trigger()
        while runs.count < 3, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(runs.count == 3, "a trigger after the shared run started gets a run of its own")
    }
}

final class RunCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var count: Int { lock.withLock { value } }
    /// Counts a run; returns its number, from 1.
    func add() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
