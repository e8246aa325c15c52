import Foundation
import PostgresClient
import Testing

/// `GroupCommit` without a database: an executor that records its batches.
@Suite struct GroupCommitTests {
    /// Records every batch it is given; optionally slow, optionally failing batches that hold a poisoned request.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var batches: [[Int]] = []
        let delay: Double
        init(delay: Double = 0) { self.delay = delay }

        func execute(_ batch: [Int]) throws -> [Int] {
            lock.withLock { batches.append(batch) }
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            if batch.count > 1, batch.contains(where: { $0 < 0 }) { throw Failure.wholeBatch }
            if batch == [-1] { throw Failure.own }
            return batch.map { $0 * 2 }
        }

        var executed: [Int] { lock.withLock { batches.flatMap { $0 } } }
    }

    enum Failure: Error { case wholeBatch, own }

    /// Runs `body(i)` for `count` indices, each on a thread of its own, started together; returns when all are done.
    static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread {
                body(index)
                group.leave()
            }.start()
        }
        group.wait()
    }

    @Test func aLoneRequestRunsAtOnceWithoutWaitingOutTheWindow() throws {
        let recorder = Recorder()
        let commit = GroupCommit<Int, Int>(settings: GroupCommitSettings(window: 2, maxBatch: 64), timeout: 10, execute: recorder.execute)
        let started = Date()
        #expect(try commit.submit(21) == 42)
        #expect(try commit.submit(5) == 10)
        #expect(Date().timeIntervalSince(started) < 1, "a 2 s window was waited out with nothing else queued")
        #expect(recorder.batches == [[21], [5]])
    }

    /// With 8 clients the ones a finished batch answered come back at once; waiting for the other running batch (or
    /// the window) after that only idles them. A leader goes once no request has arrived for the quiet gap.
    @Test func aLeaderStopsGatheringWhenNoRequestHasArrivedForTheQuietGap() throws {
        let gate = DispatchSemaphore(value: 0)
        let commit = GroupCommit<Int, Int>(
            settings: GroupCommitSettings(window: 5, maxBatch: 64, maxInFlight: 2, quietGap: 0.05), timeout: 10
        ) { batch in
            if batch == [1] { _ = gate.wait(timeout: .now() + 5) }
            return batch.map { $0 * 2 }
        }
        defer { gate.signal() }
        Thread { _ = try? commit.submit(1) }.start()  // runs alone and is held
        Thread.sleep(forTimeInterval: 0.05)
        let started = Date()
        #expect(try commit.submit(2) == 4)  // leads while the held batch runs
        #expect(Date().timeIntervalSince(started) < 2, "the leader waited for the running batch or the 5 s window")
    }

    @Test func concurrentRequestsShareBatchesAndEachGetsItsOwnResponse() throws {
        let recorder = Recorder(delay: 0.02)
        let commit = GroupCommit<Int, Int>(settings: GroupCommitSettings(window: 0.01, maxBatch: 8), timeout: 10, execute: recorder.execute)
        let answers = Answers()
        Self.concurrently(48) { index in answers.record(index, Result { try commit.submit(index) }) }
        for index in 0..<48 { #expect(answers.value(index) == index * 2) }
        #expect(recorder.executed.sorted() == Array(0..<48), "every request executed exactly once")
        #expect(recorder.batches.allSatisfy { $0.count <= 8 })
        #expect(recorder.batches.count < 48, "requests were gathered: \(recorder.batches.map(\.count))")
    }

    @Test func aFailedBatchRunsEachOfItsRequestsAloneAndOnlyTheCulpritFails() throws {
        let recorder = Recorder()
        let gate = DispatchSemaphore(value: 0)
        let commit = GroupCommit<Int, Int>(settings: GroupCommitSettings(window: 0.05, maxBatch: 64, maxInFlight: 1), timeout: 10) {
            if $0 == [0] { _ = gate.wait(timeout: .now() + 5) }
            return try recorder.execute($0)
        }
        let answers = Answers()
        // The first runs alone and is held; the rest queue behind it and go as one batch, which fails as a whole.
        Thread { answers.record(0, Result { try commit.submit(0) }) }.start()
        Thread.sleep(forTimeInterval: 0.05)
        let requests = [1, 2, 3, 4, -1, 6, 7, 8, 9]
        for request in requests { Thread { answers.record(request, Result { try commit.submit(request) }) }.start() }
        Thread.sleep(forTimeInterval: 0.3)
        gate.signal()
        while answers.count < 10 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(recorder.batches.first == [0])
        #expect(recorder.batches.dropFirst().first?.sorted() == requests.sorted(), "the queued requests ran as one batch: \(recorder.batches)")
        for request in [0, 1, 2, 3, 4, 6, 7, 8, 9] { #expect(answers.value(request) == request * 2) }
        #expect(answers.error(-1) as? Failure == .own)
        #expect(recorder.batches.dropFirst(2).map(\.count).allSatisfy { $0 == 1 }, "each request of the failed batch ran again alone")
        #expect(recorder.batches.dropFirst(2).map { $0[0] }.sorted() == requests.sorted())
    }

    @Test func aRequestNoBatchTakesFailsAfterTheTimeout() throws {
        let gate = DispatchSemaphore(value: 0)
        let commit = GroupCommit<Int, Int>(settings: GroupCommitSettings(window: 0.01, maxBatch: 64, maxInFlight: 1), timeout: 0.3) { batch in
            if batch == [1] { _ = gate.wait(timeout: .now() + 5) }
            return batch
        }
        let first = Thread { _ = try? commit.submit(1) }
        first.start()
        Thread.sleep(forTimeInterval: 0.05)
        let started = Date()
        #expect(throws: PostgresError.self) { try commit.submit(2) }
        #expect(Date().timeIntervalSince(started) < 2)
        gate.signal()
        #expect(try commit.submit(3) == 3, "the group commit still works after a timeout")
    }

    /// Submits `requests` to `batcher` from tasks started together; returns each one's result, in order.
    static func submitted(_ requests: [Int], to batcher: AsyncGroupCommit<Int, Int>) async -> [Result<Int, any Error>] {
        await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
            for (index, request) in requests.enumerated() {
                group.addTask {
                    do { return (index, .success(try await batcher.submit(request))) } catch { return (index, .failure(error)) }
                }
            }
            var results = [Result<Int, any Error>?](repeating: nil, count: requests.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }

    /// Submits 100 to a one-batch-at-a-time `AsyncGroupCommit` over `recorder` (slow), then `requests` while its batch
    /// runs; returns the first's response and the others' results, in order.
    static func queuedBehindAFirstRequest(
        _ requests: [Int], recorder: Recorder
    ) async throws -> (first: Int, rest: [Result<Int, any Error>]) {
        let batcher = AsyncGroupCommit<Int, Int>(
            settings: GroupCommitSettings(window: 0.001, maxBatch: 64, maxInFlight: 1), label: "test", timeout: .seconds(10)
        ) {
            try recorder.execute($0)
        }
        async let first = batcher.submit(100)
        try await Task.sleep(for: .milliseconds(50))
        let rest = await submitted(requests, to: batcher)
        return (try await first, rest)
    }

    @Test func asyncRequestsThatArriveDuringABatchFormTheNextOne() async throws {
        let recorder = Recorder(delay: 0.2)
        let (first, rest) = try await Self.queuedBehindAFirstRequest(Array(1...20), recorder: recorder)
        #expect(first == 200)
        #expect(try rest.map { try $0.get() } == (1...20).map { $0 * 2 })
        #expect(recorder.batches.count == 2, "the first alone, the twenty queued behind it in one batch")
        #expect(Set(recorder.batches.last ?? []) == Set(1...20))
    }

    @Test func anAsyncBatchThatFailsRunsEachRequestAloneAndOnlyTheCulpritFails() async throws {
        let recorder = Recorder(delay: 0.2)
        let (first, rest) = try await Self.queuedBehindAFirstRequest([1, -1, 2, 3], recorder: recorder)
        #expect(first == 200)
        #expect(try rest[0].get() == 2)
        #expect(throws: Failure.own) { try rest[1].get() }
        #expect(try [rest[2].get(), rest[3].get()] == [4, 6])
        #expect(recorder.batches.filter { $0.count == 1 }.count == 5, "the first, then each of the failed batch alone")
    }

    @Test func anAsyncRequestNotAnsweredWithinTheTimeoutFailsAndTheNextIsAnswered() async throws {
        let gate = DispatchSemaphore(value: 0)
        let batcher = AsyncGroupCommit<Int, Int>(
            settings: GroupCommitSettings(window: 0.001, maxBatch: 64, maxInFlight: 1), label: "test", timeout: .milliseconds(300)
        ) { batch in
            if batch == [1] { _ = gate.wait(timeout: .now() + 5) }
            return batch
        }
        let started = ContinuousClock.now
        await #expect(throws: PostgresError.self) { try await batcher.submit(1) }
        #expect(ContinuousClock.now - started < .seconds(2), "failed at its deadline, not when the batch ended")
        gate.signal()
        #expect(try await batcher.submit(2) == 2, "the group commit still works after a timeout")
    }

    @Test func anAsyncRequestQueuedBehindAStuckBatchFailsAtItsDeadlineAndRunsWhenTheBatchEnds() async throws {
        let gate = DispatchSemaphore(value: 0)
        let recorder = Recorder()
        let batcher = AsyncGroupCommit<Int, Int>(
            settings: GroupCommitSettings(window: 0.001, maxBatch: 64, maxInFlight: 1), label: "test", timeout: .milliseconds(300)
        ) { batch in
            if batch == [1] { _ = gate.wait(timeout: .now() + 5) }
            return try recorder.execute(batch)
        }
        let stuck = Task { try await batcher.submit(1) }
        try await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        await #expect(throws: PostgresError.self) { try await batcher.submit(2) }
        #expect(ContinuousClock.now - started < .seconds(2), "the queued request failed at its own deadline")
        await #expect(throws: PostgresError.self) { try await stuck.value }
        gate.signal()
        #expect(try await batcher.submit(3) == 6)
        #expect(recorder.batches.flatMap { $0 }.contains(2), "a request that timed out is still executed: its outcome is unknown")
    }

    @Test func answeredAsyncRequestsAreForgottenWithinATick() async throws {
        let batcher = AsyncGroupCommit<Int, Int>(
            settings: GroupCommitSettings(window: 0.001, maxBatch: 64, maxInFlight: 1), label: "test", timeout: .milliseconds(300)
        ) { $0 }
        let results = await Self.submitted(Array(1...200), to: batcher)
        #expect(try results.map { try $0.get() } == Array(1...200))
        #expect(batcher.unsweptCount <= 200)
        try await Task.sleep(for: .milliseconds(150))
        #expect(batcher.unsweptCount == 0, "no deadline is kept for an answered request beyond the next sweep (every 30 ms here)")
    }
}

/// Responses by request, from many threads.
final class Answers: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: Result<Int, any Error>] = [:]
    func record(_ request: Int, _ result: Result<Int, any Error>) { lock.withLock { results[request] = result } }
    func value(_ request: Int) -> Int? { lock.withLock { try? results[request]?.get() } }
    func error(_ request: Int) -> (any Error)? {
        lock.withLock {
            guard case .failure(let error) = results[request] else { return nil }
            return error
        }
    }
    var count: Int { lock.withLock { results.count } }
}
