import ChannelVocabulary
import CurlHTTP
import Foundation
import Ledger
import PostgresClient
import Server
import Sync
import TestSupport
import Testing

/// Health, readiness, metrics and the served OpenAPI document.
@Suite("operations endpoints")
struct OperationsTests {
    @Test("healthz 200; readyz 200 at the latest schema, 503 when the schema is behind")
    func health() async throws {
        try await ServerHarness.with { server in
            #expect(try await server.send(.get, "/healthz").status == 200)
            let ready = try await server.send(.get, "/readyz")
            #expect(ready.status == 200)
            #expect(ready.json["schema_version"] as? Int == Migration.latestVersion)
            try server.pool.execute("DELETE FROM schema_migrations WHERE version = $1", [Migration.latestVersion])
            let behind = try await server.send(.get, "/readyz")
            #expect(behind.status == 503)
            #expect(behind.json["status"] as? String == "schema_outdated")
        }
    }

    @Test("readyz 503 while the worker cannot reach the database, though the server's own pool can; 200 once it can again")
    func readinessFollowsTheWorker() async throws {
        let contact = DatabaseContact()
        try await ServerHarness.with(workerProblem: { contact.problem }) { server async throws in
            #expect(try await server.send(.get, "/readyz").status == 200)
            contact.failed()
            let unready = try await server.send(.get, "/readyz")
            #expect(unready.status == 503)
            #expect(unready.json["status"] as? String == "worker_database_unavailable")
            #expect(try await server.send(.get, "/healthz").status == 200)
            contact.succeeded()
            #expect(try await server.send(.get, "/readyz").status == 200)
        }
    }

    @Test("metrics: HTTP counts by route template and status, and the database gauges")
    func metrics() async throws {
        try await ServerHarness.with { server in
            _ = try await server.send(.get, "/v1/stock/MUG", token: ServerHarness.readToken)
            _ = try await server.send(.get, "/v1/stock/CAP")
            try server.pool.execute("INSERT INTO conflicts (kind, sku) VALUES ('drift', 'MUG')")
            _ = try server.fixture.ledger.receive(sku: "MUG", location: "wh-main", quantity: 2, key: "seed")
            _ = try server.fixture.ledger.reserve(.init(sku: "MUG", location: "wh-main", quantity: 1, kind: .order), key: "r")
            let page = try await server.send(.get, "/metrics")
            #expect(page.status == 200)
            #expect(page.headers["Content-Type"]?.hasPrefix("text/plain") == true)
            let text = page.bodyText
            #expect(text.contains(#"omnistock_http_requests_total{route="/v1/stock/{sku}",method="GET",status="200"} 1"#))
            #expect(text.contains(#"omnistock_http_requests_total{route="/v1/stock/{sku}",method="GET",status="401"} 1"#))
            #expect(text.contains("omnistock_http_request_duration_seconds_bucket"))
            #expect(text.contains(#"omnistock_conflicts_open{kind="drift"} 1"#))
            #expect(text.contains(#"omnistock_inbox_backlog{status="pending"} 0"#))
            #expect(text.contains("omnistock_database_up 1"))
            #expect(text.contains("omnistock_reservations_active 1"))
            #expect(text.contains(#"omnistock_outbox_lag_seconds{channel="woo"}"#))
            #expect(!text.contains("MUG"))
        }
    }

    @Test("body, URL and unknown-route limits answer JSON errors")
    func limits() async throws {
        try await ServerHarness.with(adjust: {
            $0.maxBodyBytes = 64
            $0.maxURLBytes = 100
        }) { server in
            let big = try await server.send(
                .post, "/v1/movements", token: ServerHarness.writeToken, headers: [("Idempotency-Key", "k")],
                json: #"{"type": "receive", "sku": "\#(String(repeating: "M", count: 100))", "location": "wh-main", "quantity": 1}"#)
            #expect(big.status == 413)
            #expect(big.json["error"] as? String == "payload_too_large")
            #expect(try await server.send(.get, "/v1/stock/" + String(repeating: "A", count: 200), token: ServerHarness.readToken).status == 414)
            let missing = try await server.send(.get, "/nowhere")
            #expect(missing.status == 404)
            #expect(missing.json["error"] as? String == "not_found")
        }
    }
}
