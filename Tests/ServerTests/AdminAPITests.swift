import ChannelVocabulary
import CurlHTTP
import Foundation
import Ledger
import PostgresClient
import Server
import TestSupport
import Testing

/// The admin API over a live server: scopes, stable error codes, idempotency.
@Suite("admin API")
struct AdminAPITests {
    static let write = ServerHarness.writeToken
    static let read = ServerHarness.readToken

    @Test("no token 401, unknown token 401, read token on a write route 403, read token on a read route 200")
    func scopes() async throws {
        try await ServerHarness.withRouter { server in
            let none = try await server.send(.get, "/v1/stock/MUG")
            #expect(none.status == 401)
            #expect(none.headers["WWW-Authenticate"] == "Bearer")
            #expect(none.json["error"] as? String == "unauthorized")
            #expect(try await server.send(.get, "/v1/stock/MUG", token: "nope").status == 401)
            #expect(try await server.send(.get, "/v1/stock/MUG", token: Self.read).status == 200)
            let forbidden = try await server.send(
                .post, "/v1/movements", token: Self.read, headers: [("Idempotency-Key", "k1")],
                json: #"{"type": "receive", "sku": "MUG", "location": "wh-main", "quantity": 1}"#)
            #expect(forbidden.status == 403)
            #expect(forbidden.json["error"] as? String == "forbidden")
            #expect(try server.fixture.scalar("SELECT count(*)::int FROM movements") == 0)
        }
    }

    @Test("movements: 201, replay 200 with the same result, key reused for another request 422, missing key 400")
    func movements() async throws {
        try await ServerHarness.withRouter { server in
            let receive = #"{"type": "receive", "sku": "MUG", "location": "wh-main", "quantity": 5, "reference": "PO-1"}"#
            let first = try await server.send(.post, "/v1/movements", token: Self.write, headers: [("Idempotency-Key", "rcv-1")], json: receive)
            #expect(first.status == 201)
            #expect((first.json["movement_ids"] as? [Int])?.count == 1)
            let again = try await server.send(.post, "/v1/movements", token: Self.write, headers: [("Idempotency-Key", "rcv-1")], json: receive)
            #expect(again.status == 200)
            #expect(again.bodyText == first.bodyText)
            let other = #"{"type": "receive", "sku": "MUG", "location": "wh-main", "quantity": 6}"#
            let reused = try await server.send(.post, "/v1/movements", token: Self.write, headers: [("Idempotency-Key", "rcv-1")], json: other)
            #expect(reused.status == 422)
            #expect(reused.json["error"] as? String == "idempotency_key_reused")
            #expect(try await server.send(.post, "/v1/movements", token: Self.write, json: receive).status == 400)
            let transfer = #"{"type": "transfer", "sku": "MUG", "from": "wh-main", "to": "store-krakow", "quantity": 2}"#
            #expect(
                try await server.send(.post, "/v1/movements", token: Self.write, headers: [("Idempotency-Key", "t-1")], json: transfer).status == 201)
            let incomplete = try await server.send(
                .post, "/v1/movements", token: Self.write, headers: [("Idempotency-Key", "t-2")], json: #"{"type": "transfer", "sku": "MUG"}"#)
            #expect(incomplete.status == 400)
            #expect(incomplete.json["error"] as? String == "invalid_request")
            let stock = try await server.send(.get, "/v1/stock/MUG", token: Self.read).json
            let locations = try #require(stock["locations"] as? [[String: Any]])
            #expect(locations.first { $0["location"] as? String == "wh-main" }?["on_hand"] as? Int == 3)
            #expect(locations.first { $0["location"] as? String == "store-krakow" }?["pickup_available"] as? Int == 1)
            let pickup = try await server.send(.get, "/v1/stores/store-krakow/pickup/MUG", token: Self.read)
            #expect(pickup.json["pickup_available"] as? Int == 1)
        }
    }

    @Test("reservations: oversell is 409 insufficient_stock with available; commit, release and their errors")
    func reservations() async throws {
        try await ServerHarness.withRouter { server in
            _ = try server.fixture.ledger.receive(sku: "CAP", location: "wh-main", quantity: 3, key: "seed")
            let over = try await server.send(
                .post, "/v1/reservations", token: Self.write, headers: [("Idempotency-Key", "r-over")],
                json: #"{"sku": "CAP", "location": "wh-main", "quantity": 4}"#)
            #expect(over.status == 409)
            #expect(over.json["error"] as? String == "insufficient_stock")
            #expect(over.json["available"] as? Int == 3)
            let held = try await server.send(
                .post, "/v1/reservations", token: Self.write, headers: [("Idempotency-Key", "r-1")],
                json: #"{"sku": "CAP", "location": "wh-main", "quantity": 2, "kind": "checkout", "expires_at": "2030-01-01T00:00:00Z"}"#)
            #expect(held.status == 201)
            let reservation = try #require(held.json["reservation"] as? [String: Any])
            let id = try #require(reservation["id"] as? String)
            #expect(reservation["expires_at"] as? String == "2030-01-01T00:00:00Z")
            let commit = try await server.send(.post, "/v1/reservations/\(id)/commit", token: Self.write)
            #expect(commit.status == 200)
            #expect((commit.json["reservation"] as? [String: Any])?["status"] as? String == "committed")
            let release = try await server.send(.post, "/v1/reservations/\(id)/release", token: Self.write)
            #expect(release.status == 409)
            #expect(release.json["error"] as? String == "reservation_not_active")
            let unknown = try await server.send(.post, "/v1/reservations/r_nope/release", token: Self.write)
            #expect(unknown.status == 404)
            #expect(unknown.json["error"] as? String == "unknown_reservation")
            let unknownSKU = try await server.send(
                .post, "/v1/reservations", token: Self.write, headers: [("Idempotency-Key", "r-2")],
                json: #"{"sku": "NOPE", "location": "wh-main", "quantity": 1}"#)
            #expect(unknownSKU.status == 404)
            #expect(unknownSKU.json["error"] as? String == "unknown_sku")
            #expect(try await server.send(.get, "/v1/stock/NOPE", token: Self.read).status == 404)
        }
    }

    @Test("reconcile: 202 with an id, a requested row with trigger api, readable by id; conflicts and channels list")
    func reconcileConflictsChannels() async throws {
        try await ServerHarness.withRouter { server in
            let accepted = try await server.send(.post, "/v1/reconcile", token: Self.write, json: #"{"channel": "woo", "dry_run": true}"#)
            #expect(accepted.status == 202)
            let id = try #require(accepted.json["id"] as? Int)
            #expect(
                try server.fixture.scalar(
                    "SELECT count(*)::int FROM reconcile_runs WHERE id = $1 AND trigger = 'api' AND status = 'requested' AND dry_run", [id]) == 1)
            let run = try await server.send(.get, "/v1/reconcile/\(id)", token: Self.read)
            #expect(run.json["channel"] as? String == "woo")
            #expect(try await server.send(.post, "/v1/reconcile", token: Self.write).status == 202)
            #expect(try await server.send(.post, "/v1/reconcile", token: Self.write, json: #"{"channel": "nope"}"#).status == 404)
            #expect(try await server.send(.get, "/v1/reconcile/999999", token: Self.read).status == 404)
            #expect(try await server.send(.get, "/v1/reconcile/abc", token: Self.read).status == 400)

            try server.pool.execute("INSERT INTO conflicts (kind, sku, detail) VALUES ('drift', 'MUG', '{\"channel_value\": 7}')")
            try server.pool.execute("INSERT INTO conflicts (kind, sku, resolved_at) VALUES ('oversold', 'CAP', now())")
            let open = try #require(try await server.send(.get, "/v1/conflicts", token: Self.read).json["conflicts"] as? [[String: Any]])
            #expect(open.count == 1)
            #expect((open[0]["detail"] as? [String: Any])?["channel_value"] as? Int == 7)
            let all = try await server.send(.get, "/v1/conflicts?all=true", token: Self.read).json["conflicts"] as? [[String: Any]]
            #expect(all?.count == 2)
            #expect(try await server.send(.get, "/v1/conflicts?all=maybe", token: Self.read).status == 400)

            _ = try server.fixture.ledger.receive(sku: "MUG", location: "wh-main", quantity: 1, key: "seed")
            let channels = try #require(try await server.send(.get, "/v1/channels", token: Self.read).json["channels"] as? [[String: Any]])
            #expect(channels.map { $0["code"] as? String } == ["pos", "webshop", "woo"])
            let woo = try #require(channels.last?["outbox"] as? [String: Any])
            #expect(woo["pending"] as? Int == 1)
            #expect(woo["failed"] as? Int == 0)
            #expect(woo["oldest_pending_age_seconds"] is Int)
            #expect((channels.last?["inbox"] as? [String: Any])?["pending"] as? Int == 0)
            #expect(channels.last?["models_locations"] as? Bool == false)
            #expect(channels.last?["circuit"] as? String == "closed")
            // The schema requires these keys; a channel never pushed to has them as null.
            #expect(channels.last?["last_success_at"] is NSNull)
            #expect(channels.last?["last_error"] is NSNull)
        }
    }

    @Test("per-token rate limit: 429 with Retry-After")
    func rateLimit() async throws {
        try await ServerHarness.withRouter(adjust: { $0.tokenRateLimit = RateLimit(perSecond: 0.01, burst: 2) }) { server in
            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await server.send(.get, "/v1/conflicts", token: Self.read).status) }
            #expect(statuses == [200, 200, 429, 429])
            let limited = try await server.send(.get, "/v1/conflicts", token: Self.read)
            #expect(limited.headers["Retry-After"].flatMap(Int.init) ?? 0 >= 1)
            #expect(limited.json["error"] as? String == "rate_limited")
            #expect(try await server.send(.get, "/v1/conflicts", token: Self.write).status == 200, "buckets are per token")
        }
    }
}
