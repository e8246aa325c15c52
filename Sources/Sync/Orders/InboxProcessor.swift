import ChannelVocabulary
import Foundation
import HTTPTypes
import Ledger
import Logging
import PostgresClient
import Support

/// Applies stored webhook events in the order they arrived. Runs on the leader replica only, so
/// events for one order are never applied out of order by two replicas at once.
///
/// An event that fails keeps its error and is retried with backoff. Each attempt is counted and
/// committed *before* the event is applied, so an event that kills the process while being applied
/// uses up its attempts too: after `maxAttempts` the event is set aside (`dead`) with its last error,
/// shown by `status` and the metrics, and never blocks or kills the processor again.
package struct InboxProcessor: Sendable {
    let pool: PostgresPool
    let channels: [String: any Channel]
    let applier: EventApplier
    let metrics: SyncMetrics
    let logger: Logger
    let backoff: Backoff
    let maxAttempts: Int

    /// - Parameters:
    ///   - backoff: the wait before each retry of a failed event.
    ///   - maxAttempts: attempts before an event is set aside (`inbox_max_attempts`).
    package init(
        pool: PostgresPool, channels: [String: any Channel], applier: EventApplier, backoff: Backoff = Backoff(base: 1, cap: 3600),
        maxAttempts: Int = 10, metrics: SyncMetrics = SyncMetrics(), logger: Logger
    ) {
        self.pool = pool
        self.channels = channels
        self.applier = applier
        self.backoff = backoff
        self.maxAttempts = maxAttempts
        self.metrics = metrics
        self.logger = logger
    }

    /// Processes up to `limit` due events; returns how many it looked at (0: nothing due).
    @discardableResult
    package func processDue(limit: Int = 100) throws -> Int {
        let due = try InboxStore.due(limit: limit, pool: pool)
        for event in due {
            guard event.attempts < maxAttempts else {
                try setAside(event, error: event.lastError ?? "the process stopped while applying it, \(event.attempts) times")
                continue
            }
            try countAttempt(event)
            do {
                let status = try process(channel: event.channel, headers: event.headers, payload: event.payload)
                try InboxStore.markDone(id: event.id, status: status, pool: pool)
                metrics.recordEvent(channel: event.channel, outcome: status)
            } catch let error as PostgresError where error.isDatabaseUnavailable {
                throw error
            } catch {
                try recordFailure(event, error: String(describing: error))
            }
        }
        return due.count
    }

    /// Counts the attempt and moves the next one out by the backoff, in a committed statement of its own,
    /// before anything is applied: a crash while applying still counts and still waits.
    private func countAttempt(_ event: InboxStore.DueEvent) throws {
        let delay = backoff.delay(afterAttempts: event.attempts + 1)
        try InboxStore.countAttempt(id: event.id, delay: delay, pool: pool)
    }

    private func recordFailure(_ event: InboxStore.DueEvent, error: String) throws {
        guard event.attempts + 1 < maxAttempts else { return try setAside(event, error: error) }
        logger.warning(
            "webhook event failed; kept for retry", metadata: ["channel": "\(event.channel)", "inbox_id": "\(event.id)", "error": "\(error)"])
        try InboxStore.markFailed(id: event.id, error: error, pool: pool)
        metrics.recordEvent(channel: event.channel, outcome: "failed")
    }

    private func setAside(_ event: InboxStore.DueEvent, error: String) throws {
        logger.error(
            "webhook event set aside after \(maxAttempts) attempts; it will not be retried",
            metadata: ["channel": "\(event.channel)", "inbox_id": "\(event.id)", "error": "\(error)"])
        try InboxStore.setAside(id: event.id, error: error, pool: pool)
        metrics.recordEvent(channel: event.channel, outcome: "dead")
    }

    /// Parses and applies one stored event; returns its new status.
    private func process(channel code: String, headers: [String: String], payload: String) throws -> String {
        guard let channel = channels[code] else { throw EventError.unknownChannel(code) }
        let fields = HTTPFields(headers.compactMap { name, value in HTTPField.Name(name).map { HTTPField(name: $0, value: value) } })
        let events = try channel.parseWebhook(headers: fields, body: Array(payload.utf8))
        for event in events { try applier.apply(event, channel: code) }
        return events.isEmpty ? "ignored" : "processed"
    }

    enum EventError: Error, CustomStringConvertible {
        case unknownChannel(String)
        var description: String {
            switch self {
            case .unknownChannel(let code): "channel \(code) is no longer configured"
            }
        }
    }
}
