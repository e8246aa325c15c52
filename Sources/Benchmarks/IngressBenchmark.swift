import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Ledger
import Logging
import PostgresClient
import Server
import ServiceLifecycle

/// Measures webhook ingress end to end — signed `omnistock-json` webhooks verified, stored in the inbox
/// and committed — side by side with a trivial route (`GET /healthz`) of the same server, in one run.
/// For `omnistock bench`; it asserts nothing. The events it stores (channel `omnistock-bench`) are
/// deleted afterwards.
package enum IngressBenchmark {
    /// The figures of one kind of request.
    package struct Phase: Sendable, CustomStringConvertible {
        /// Latencies and failures as they were collected.
        struct Samples: Sendable {
            var latencies: [Duration] = []
            var failures = 0
            var elapsed: Duration = .zero

            mutating func record(_ latency: Duration, ok: Bool) {
                if ok { latencies.append(latency) } else { failures += 1 }
            }

            mutating func merge(_ other: Samples) {
                latencies += other.latencies
                failures += other.failures
            }
        }

        /// What was requested.
        package var name: String
        /// Requests answered 200.
        package var completed: Int
        /// Requests that failed or were answered otherwise.
        package var failed: Int
        /// Completed requests per second of wall time.
        package var perSecond: Double
        /// Median latency.
        package var p50: Duration
        /// 99th percentile latency.
        package var p99: Duration

        init(name: String, samples: Samples) {
            let sorted = samples.latencies.sorted()
            func percentile(_ fraction: Double) -> Duration {
                sorted.isEmpty ? .zero : sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
            }
            let seconds = samples.elapsed / .seconds(1)
            self.name = name
            self.completed = sorted.count
            self.failed = samples.failures
            self.perSecond = seconds > 0 ? Double(sorted.count) / seconds : 0
            self.p50 = percentile(0.5)
            self.p99 = percentile(0.99)
        }

        /// One line: name, requests/s, p50, p99, failures.
        package var description: String {
            "\(name): \(completed) ok, \(Int(perSecond.rounded())) req/s, p50 \(Self.milliseconds(p50)) ms, p99 \(Self.milliseconds(p99)) ms, \(failed) failed"
        }

        private static func milliseconds(_ duration: Duration) -> String {
            let value = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
            return String(format: "%.2f", value)
        }
    }

    /// Both phases of a run.
    package struct Report: Sendable, CustomStringConvertible {
        /// `GET /healthz`: the server without verification or database.
        package var trivial: Phase
        /// `POST /webhooks/omnistock-bench`: verified, stored and committed.
        package var webhooks: Phase

        /// Two lines, trivial route first.
        package var description: String { "\(trivial)\n\(webhooks)" }
    }

    static let channelCode = "omnistock-bench"

    /// Runs the trivial route and then the webhooks for `duration` each, with `concurrency` requests in
    /// flight, against a server on a free loopback port that uses `pool` (a migrated database).
    package static func run(
        pool: PostgresPool, duration: Duration = .seconds(10), concurrency: Int = 16,
        logger: Logger = Logger(label: "omnistock.bench")
    ) async throws -> Report {
        let secret = "whsec_" + Data((0..<24).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let channel = OmnistockJSONChannel(
            configuration: OmnistockJSONConfiguration(baseURL: "http://127.0.0.1:1", token: "bench", webhookSecrets: [secret]), client: client)
        let server = OmnistockHTTPServer(
            settings: ServerSettings(port: 0, tokenRateLimit: nil, channelRateLimit: nil),
            pool: pool, ledger: StockLedger(pool: pool), channels: [channelCode: channel], logger: logger)
        let (ports, bound) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(configuration: .init(services: [server.makeApplication { bound.yield($0) }], logger: logger))
        let serving = Task { try await group.run() }
        defer { serving.cancel() }
        guard let port = await ports.first(where: { _ in true }) else { throw CancellationError() }
        let base = "http://127.0.0.1:\(port)"
        let load = LoadGenerator(client: client, concurrency: concurrency)
        let run = UUID().uuidString.prefix(8)

        let trivial = await load.run(for: duration) { _ in HTTPRequest(method: .get, url: base + "/healthz") }
        let webhooks = await load.run(for: duration) { n in
            signedWebhook(url: base + "/webhooks/\(channelCode)", id: "bench-\(run)-\(n)", secret: secret)
        }
        await group.triggerGracefulShutdown()
        _ = await serving.result
        try await pool.run { try InboxStore.forget(channel: channelCode, pool: $0) }
        return Report(
            trivial: Phase(name: "GET /healthz (trivial)", samples: trivial),
            webhooks: Phase(name: "POST /webhooks (verified, stored, committed)", samples: webhooks))
    }

    /// An `order.cancelled` event signed per the Standard Webhooks scheme.
    static func signedWebhook(url: String, id: String, secret: String) -> HTTPRequest {
        let body = Array(#"{"type":"order.cancelled","data":{"order":"\#(id)"}}"#.utf8)
        let timestamp = Int(Date().timeIntervalSince1970)
        let signature = StandardWebhooks.sign(secret: secret, id: id, timestamp: timestamp, body: body) ?? ""
        let headers: HTTPHeaders = [
            "Content-Type": "application/json", "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signature,
        ]
        return HTTPRequest(method: .post, url: url, headers: headers, body: body)
    }
}
