import Prometheus

/// The server's Prometheus registry and the HTTP metrics it records directly into it.
///
/// The library never touches the global `MetricsSystem`: the application bootstraps it with
/// `PrometheusMetricsFactory(registry: metrics.registry)`, so that metrics recorded through
/// swift-metrics elsewhere (the sync worker's pushes, say) appear on the same `/metrics` page.
/// Names used here (all `omnistock_http_*` and the gauges of ``DatabaseGauges``) must not be reused
/// with another type.
package final class ServerMetrics: Sendable {
    /// The registry `/metrics` renders.
    package let registry: PrometheusCollectorRegistry
    let database: DatabaseGauges

    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "omnistock", subsystem: "http", metricName: "requests", unitName: "total",
            helpText: "HTTP requests answered, by route template, method and status")
    }

    private static var latency: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "omnistock", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "HTTP request latency by route template and method")
    }

    private static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    /// Creates the metrics on `registry` (a fresh one by default).
    package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.database = DatabaseGauges(registry: registry)
    }

    /// Counts one answered request and records its latency, by route template (not the raw path).
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.requests, labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.latency, labels: [("route", route), ("method", method)], buckets: Self.durationBuckets
        ).record(duration)
    }

    /// The Prometheus text exposition of everything in the registry.
    func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
