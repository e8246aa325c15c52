import ChannelVocabulary
import Metrics

/// The sync worker's metrics (DESIGN.md §11), reported through swift-metrics.
package struct SyncMetrics: Sendable {
    package init() {}

    func recordPush(channel: String, outcome: PushOutcome) {
        Counter(label: "omnistock_pushes_total", dimensions: [("channel", channel), ("outcome", Self.name(outcome))]).increment()
    }

    func recordCompareAndSetRetries(channel: String, count: Int) {
        guard count > 0 else { return }
        Counter(label: "omnistock_channel_compare_and_set_retries_total", dimensions: [("channel", channel)]).increment(by: count)
    }

    func recordPushLatency(channel: String, seconds: Double) {
        Timer(label: "omnistock_push_duration_seconds", dimensions: [("channel", channel)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    func recordDatabaseError() {
        Counter(label: "omnistock_database_errors_total").increment()
    }

    func recordEvent(channel: String, outcome: String) {
        Counter(label: "omnistock_events_processed_total", dimensions: [("channel", channel), ("outcome", outcome)]).increment()
    }

    func recordPolledOrders(channel: String, count: Int) {
        Counter(label: "omnistock_orders_polled_total", dimensions: [("channel", channel)]).increment(by: count)
    }

    func recordExpired(_ count: Int) {
        Counter(label: "omnistock_reservations_expired_total").increment(by: count)
    }

    static func name(_ outcome: PushOutcome) -> String {
        switch outcome {
        case .ok: "ok"
        case .conflict: "conflict"
        case .retryAfter: "throttled"
        case .permanent: "permanent_error"
        case .transient: "transient_error"
        }
    }
}
