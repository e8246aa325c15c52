import Foundation
import Hummingbird
import Synchronization

/// A store/POS endpoint speaking the omnistock-json protocol (CHANNEL-PROTOCOL.md).
///
/// Behaviours modelled, each from the protocol document `shared/CHANNEL-PROTOCOL.md` (version 1, a contract
/// third parties build against):
/// - every request needs `Authorization: Bearer <token>`, else `401` (Conventions);
/// - `PUT /levels`: a batch of `{sku, location, available, version}`; a value whose `version` is lower than the
///   one held is ignored ("version only grows"); `available` below 0 or a missing field is refused (`4xx`, permanent
///   for the batch); the `Idempotency-Key` header is kept; a `409` answers `{"levels": [current values]}` (fault `.stale`);
///   `429`/`503` with `Retry-After`, `5xx`, hangs and dropped connections come from ``SimulatorFault`` (Push levels);
/// - `GET /levels?limit=&cursor=`: pages in a stable order with an opaque `next_cursor`, `null` on the last page,
///   `on_hand` only where the store has a count (Fetch levels);
/// - `POST /reservations` idempotent by `id` (`201` first, `200` again); `DELETE /reservations/{id}` `404` when unknown,
///   which counts as done (Push reservations);
/// - webhooks signed as Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` = `v1,<base64
///   HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` with the key from `whsec_<base64>` (Endpoint → Omnistock).
/// Left open by the document, chosen here: the cursor is the last key of the previous page; a batch with one invalid
/// level is refused whole (`422`); `DELETE` of a known reservation answers `204`.
package final class OmnistockJSONSimulator: ChannelSimulator {
    /// A level the endpoint holds.
    package struct Level: Sendable, Hashable {
        /// The value.
        package var available: Int
        /// The version it came with (0 when set by hand).
        package var version: Int
        /// A physical count, if the store has one.
        package var onHand: Int?
    }

    private struct State {
        private(set) var levels: [String: Level] = [:]
        /// The keys of `levels` in order, for paging, except those added since the last page was read.
        private var sortedKeys: [String] = []
        /// Keys added since the last page was read; merged into `sortedKeys` then (sorting only these).
        private var addedKeys: [String] = []
        var reservations: [String: [String: String]] = [:]
        var idempotencyKeys: Set<String> = []

        /// Stores `level` under `key` (`sku@location`).
        mutating func store(_ level: Level, at key: String) {
            if levels.updateValue(level, forKey: key) == nil { addedKeys.append(key) }
        }

        /// Up to `limit` levels after the key `cursor` (from the start when nil), and whether more follow.
        mutating func page(after cursor: String?, limit: Int) -> (levels: [(key: String, level: Level)], more: Bool) {
            if !addedKeys.isEmpty {
                sortedKeys = Self.merge(sortedKeys, addedKeys.sorted())
                addedKeys.removeAll()
            }
            let keys = sortedKeys
            var start = 0
            if let cursor {
                var high = keys.count
                while start < high {
                    let middle = (start + high) / 2
                    if keys[middle] <= cursor { start = middle + 1 } else { high = middle }
                }
            }
            let end = min(keys.count, start + max(limit, 0))
            let page = keys[start..<end].compactMap { key in levels[key].map { (key: key, level: $0) } }
            return (page, end < keys.count)
        }

        /// Two sorted lists as one sorted list.
        private static func merge(_ left: [String], _ right: [String]) -> [String] {
            var merged: [String] = []
            merged.reserveCapacity(left.count + right.count)
            var (i, j) = (0, 0)
            while i < left.count && j < right.count {
                if left[i] <= right[j] {
                    merged.append(left[i])
                    i += 1
                } else {
                    merged.append(right[j])
                    j += 1
                }
            }
            merged += left[i...]
            merged += right[j...]
            return merged
        }
    }

    /// The shared machinery.
    package let core = SimulatorCore()
    private let token: String
    private let webhookSecret: String
    private let state = Mutex(State())

    /// Creates an endpoint that accepts `Bearer <token>` and signs webhooks with `webhookSecret` (`whsec_…`).
    package init(token: String, webhookSecret: String) {
        self.token = token
        self.webhookSecret = webhookSecret
    }

    /// The levels held, keyed `sku@location`.
    package var levels: [String: Level] { state.withLock { $0.levels } }

    /// The level held for `sku` at `location`.
    package func level(sku: String, location: String) -> Level? {
        state.withLock { $0.levels["\(sku)@\(location)"] }
    }

    /// Sets a level by hand (a manual edit at the store).
    package func setLevel(sku: String, location: String, available: Int, onHand: Int? = nil) {
        state.withLock { $0.store(Level(available: available, version: 0, onHand: onHand), at: "\(sku)@\(location)") }
    }

    /// The reservations held, by id.
    package var reservations: [String: [String: String]] { state.withLock { $0.reservations } }

    /// Sends a signed webhook `{"type": type, "data": data}` to `url` and returns the receiver's status.
    @discardableResult
    package func sendWebhook(
        type: String, data: [String: Any], to url: String, id: String = "msg_\(UUID().uuidString)", timestamp: Date = Date()
    ) async throws -> Int {
        let body = Array(try JSONSerialization.data(withJSONObject: ["type": type, "data": data], options: [.sortedKeys]))
        let seconds = Int(timestamp.timeIntervalSince1970)
        let key = Data(base64Encoded: String(webhookSecret.dropFirst("whsec_".count))).map(Array.init) ?? []
        let signature = "v1," + SimulatorSigning.hmacBase64(key: key, Array("\(id).\(seconds).".utf8) + body)
        return try await core.deliver(
            to: url,
            headers: [
                "Content-Type": "application/json", "webhook-id": id, "webhook-timestamp": String(seconds), "webhook-signature": signature,
            ], body: body)
    }

    /// Places an order at the store and delivers it as an `order.created` webhook to `url`.
    @discardableResult
    package func addOrder(_ order: String, lines: [(sku: String, quantity: Int)], pickupLocation: String?, to url: String) async throws -> Int {
        try await sendWebhook(
            type: "order.created",
            data: [
                "order": order, "lines": lines.map { ["sku": $0.sku, "quantity": $0.quantity] },
                "fulfillment": pickupLocation == nil ? "ship" : "pickup", "pickup_location": pickupLocation.map { $0 as Any } ?? NSNull(),
                "created_at": ISO8601DateFormatter().string(from: Date()),
            ], to: url)
    }

    /// The protocol's routes.
    package func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.put("/levels") { request, _ in
            try await self.core.respond(to: request) { recorded, fault in self.putLevels(recorded, fault) }
        }
        router.get("/levels") { request, _ in
            try await self.core.respond(to: request) { recorded, _ in self.getLevels(request) }
        }
        router.post("/reservations") { request, _ in
            try await self.core.respond(to: request) { recorded, _ in self.postReservation(recorded) }
        }
        router.delete("/reservations/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.core.respond(to: request) { recorded, _ in self.deleteReservation(recorded, id: id) }
        }
        return router
    }

    private func authorized(_ request: RecordedRequest) -> Bool {
        request.header("Authorization") == "Bearer \(token)"
    }

    private func putLevels(_ request: RecordedRequest, _ fault: SimulatorFault?) -> Response {
        guard authorized(request) else { return SimulatorCore.json(["error": "unauthorized"], status: 401) }
        guard let body = SimulatorCore.parse(request.body) as? [String: Any], let levels = body["levels"] as? [[String: Any]] else {
            return SimulatorCore.json(["error": "malformed body"], status: 400)
        }
        return state.withLock { state in
            if fault == .stale {
                let current = levels.map { level -> [String: Any] in
                    let key = "\(level["sku"] as? String ?? "")@\(level["location"] as? String ?? "")"
                    let held = state.levels[key]
                    return ["sku": level["sku"] ?? "", "location": level["location"] ?? "", "available": (held?.available ?? 0) + 1]
                }
                return SimulatorCore.json(["levels": current], status: 409)
            }
            if let key = request.header("Idempotency-Key") { state.idempotencyKeys.insert(key) }
            for level in levels {
                guard let sku = level["sku"] as? String, let location = level["location"] as? String,
                    let available = level["available"] as? Int, available >= 0, let version = level["version"] as? Int
                else { return SimulatorCore.json(["error": "invalid level"], status: 422) }
                let key = "\(sku)@\(location)"
                if let held = state.levels[key], held.version > version { continue }
                state.store(Level(available: available, version: version, onHand: state.levels[key]?.onHand), at: key)
            }
            return SimulatorCore.json(["accepted": levels.count])
        }
    }

    private func getLevels(_ request: Request) -> Response {
        guard request.headers[.authorization] == "Bearer \(token)" else { return SimulatorCore.json(["error": "unauthorized"], status: 401) }
        let limit = request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 500
        // The cursor is the last key of the previous page (opaque to the caller).
        let cursor = request.uri.queryParameters.get("cursor").map { String($0) }
        let (levels, more) = state.withLock { $0.page(after: cursor, limit: limit) }
        let page = levels.map { key, level -> [String: Any] in
            let parts = key.split(separator: "@", maxSplits: 1).map(String.init)
            var entry: [String: Any] = ["sku": parts[0], "location": parts[1], "available": level.available]
            if let onHand = level.onHand { entry["on_hand"] = onHand }
            return entry
        }
        let next = more ? (levels.last?.key ?? "") as Any : NSNull()
        return SimulatorCore.json(["levels": page, "next_cursor": next])
    }

    private func postReservation(_ request: RecordedRequest) -> Response {
        guard authorized(request) else { return SimulatorCore.json(["error": "unauthorized"], status: 401) }
        guard let body = SimulatorCore.parse(request.body) as? [String: Any], let id = body["id"] as? String else {
            return SimulatorCore.json(["error": "malformed body"], status: 400)
        }
        let created = state.withLock { state in
            defer { state.reservations[id] = body.mapValues { "\($0)" } }
            return state.reservations[id] == nil
        }
        return SimulatorCore.json(["id": id], status: created ? 201 : 200)
    }

    private func deleteReservation(_ request: RecordedRequest, id: String) -> Response {
        guard authorized(request) else { return SimulatorCore.json(["error": "unauthorized"], status: 401) }
        let existed = state.withLock { $0.reservations.removeValue(forKey: id) != nil }
        return existed ? SimulatorCore.bytes([], status: 204) : SimulatorCore.json(["error": "not found"], status: 404)
    }
}
