import Foundation
import PostgresClient

extension StockLedger {
    /// One SKU to reserve for a line: the line's own SKU, or one component of a bundle line.
    private struct Part {
        var line: Int
        var sku: String
        var quantity: Int
        var location: String?
        var bundle: String?
        var bundleQuantity: Int?
    }

    /// Sources an order's lines over locations and reserves them in one transaction (DESIGN.md §5a).
    ///
    /// Each line (each component of a bundle line) is taken from its own location, then the pickup store,
    /// then the channel's locations ranked by the channel's policy (pickup orders: nearest to the store),
    /// and split over as many as it takes. Everything that exists is reserved; what nothing covers is
    /// recorded as an `oversold` backorder conflict naming the order and the quantity, and what a pickup
    /// line holds away from its store as a `pickup_shortfall` conflict proposing the transfer. The levels'
    /// triggers mark the channel targets due in the same transaction. Idempotent by `key`: a repeat returns
    /// the first outcome and changes nothing.
    package func source(_ request: SourcingRequest, key: String) throws -> SourcingOutcome {
        try translatingDatabaseErrors {
            try idempotent(key: key, kind: "source", request: request) { connection in
                try source(request, key: key, on: connection)
            }
        }
    }

    /// `source` inside the caller's transaction.
    func source(_ request: SourcingRequest, key: String, on connection: PostgresConnection) throws -> SourcingOutcome {
        let parts = try expand(request.lines, on: connection)
        var policy = SourcingPolicy.priority
        var candidates: [String] = []
        if let channel = request.channel, !request.strict {
            let rows = try connection.query(
                """
                SELECT c.sourcing, cl.location FROM channels c JOIN channel_locations cl ON cl.channel = c.code
                WHERE c.code = $1 ORDER BY cl.position, cl.location
                """, [channel])
            policy = try rows.first.flatMap { SourcingPolicy(rawValue: try $0.decode(String.self, at: 0)) } ?? .priority
            candidates = try rows.map { try $0.decode(String.self, at: 1) }
        }
        let pickup = request.kind == .pickup ? request.pickupStore : nil
        if pickup != nil { policy = .nearest }
        var distances: [String: Int] = [:]
        if let origin = pickup ?? request.destination, policy == .nearest {
            for row in try connection.query("SELECT location, distance FROM location_distances WHERE origin = $1", [origin]) {
                distances[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1)
            }
        }
        // Lock every level a part may draw on, in one order, so concurrent orders neither oversell nor deadlock.
        let locations = Set(candidates + parts.compactMap(\.location) + [pickup].compactMap { $0 })
        var available: [String: [String: Int]] = [:]
        for row in try connection.query(
            """
            SELECT sku, location, greatest(0, on_hand - reserved) FROM levels
            WHERE sku = ANY ($1::text[]) AND location = ANY ($2::text[]) ORDER BY sku, location FOR UPDATE
            """, [Array(Set(parts.map(\.sku))).sorted(), locations.sorted()])
        {
            let (sku, location, units) = (try row.decode(String.self, at: 0), try row.decode(String.self, at: 1), try row.decode(Int.self, at: 2))
            available[sku, default: [:]][location] = units
        }
        var takes: [(part: Int, location: String, quantity: Int)] = []
        var backorders: [Backorder] = []
        for (index, part) in parts.enumerated() {
            let first = part.location ?? pickup
            let ranked =
                request.strict
                ? [first].compactMap { $0 }
                : SourcingPlan.rank(first: first, candidates: candidates, policy: policy, available: available[part.sku] ?? [:], distances: distances)
            let plan = SourcingPlan.allocate(part.quantity, from: ranked, available: &available[part.sku, default: [:]])
            takes += plan.takes.map { (part: index, location: $0.location, quantity: $0.quantity) }
            guard plan.shortfall > 0 else { continue }
            if request.strict { throw try explainRefusal(sku: part.sku, location: first ?? "", requested: part.quantity, on: connection) }
            backorders.append(
                Backorder(
                    line: part.line, sku: part.sku, bundleSKU: part.bundle, requested: part.quantity, reserved: part.quantity - plan.shortfall))
        }
        let groups = request.lines.indices.map { _ in "g" + String(ReservationID.make().dropFirst()) }
        var reservations: [Reservation] = []
        var transfers: [PickupTransfer] = []
        for take in takes.sorted(by: { (parts[$0.part].sku, $0.location) < (parts[$1.part].sku, $1.location) }) {
            let part = parts[take.part]
            let id = ReservationID.make()
            let partKey = "\(key):\(part.line):\(part.sku):\(take.location)"
            _ = try applyOrExplain(
                LevelChange(
                    sku: part.sku, location: take.location, delta: 0, reservedDelta: take.quantity, reason: .reservation,
                    reference: id, movementKey: partKey), requested: take.quantity, on: connection)
            // The expiry in whole seconds, as the stored first result keeps it: a replay returns the same value.
            let row = try connection.query(
                """
                INSERT INTO reservations (id, sku, location, quantity, kind, channel, external_ref, expires_at, idempotency_key,
                                          group_id, bundle_sku, bundle_quantity)
                VALUES ($1, $2, $3, $4, $5, $6, $7, date_trunc('second', $8::timestamptz), $9, $10, $11, $12) RETURNING \(Reservation.columns)
                """,
                [
                    id, part.sku, take.location, take.quantity, request.kind.rawValue, request.channel, request.externalRef,
                    request.expiresAt, partKey, groups[part.line], part.bundle, part.bundleQuantity,
                ])
            reservations.append(try Reservation(row: row[0]))
            if let store = pickup, take.location != store {
                transfers.append(
                    PickupTransfer(
                        line: part.line, sku: part.sku, from: take.location, to: store, quantity: take.quantity,
                        distance: distances[take.location], reservation: id))
            }
        }
        try record(backorders, request: request, on: connection)
        try record(transfers, request: request, on: connection)
        return SourcingOutcome(reservations: reservations, backorders: backorders, transfers: transfers)
    }

    /// Lines as parts: an item line as it is, a bundle line as its components times the line's quantity.
    private func expand(_ lines: [SourcingRequest.Line], on connection: PostgresConnection) throws -> [Part] {
        for line in lines { try QuantityRange.requirePositive(line.quantity) }
        let skus = Array(Set(lines.map(\.sku))).sorted()
        let known = Set(try connection.query("SELECT sku FROM skus WHERE sku = ANY ($1::text[])", [skus]).map { try $0.decode(String.self, at: 0) })
        if let unknown = skus.first(where: { !known.contains($0) }) { throw LedgerError.unknownSKU(unknown) }
        var components: [String: [(sku: String, quantity: Int)]] = [:]
        for row in try connection.query(
            "SELECT bundle_sku, component_sku, quantity FROM bundle_components WHERE bundle_sku = ANY ($1::text[]) ORDER BY 1, 2", [skus])
        {
            let bundle = try row.decode(String.self, at: 0)
            components[bundle, default: []].append((sku: try row.decode(String.self, at: 1), quantity: try row.decode(Int.self, at: 2)))
        }
        var parts: [Part] = []
        for (index, line) in lines.enumerated() {
            guard let bundle = components[line.sku] else {
                parts.append(Part(line: index, sku: line.sku, quantity: line.quantity, location: line.location))
                continue
            }
            for component in bundle {
                let (units, overflow) = component.quantity.multipliedReportingOverflow(by: line.quantity)
                guard !overflow, units <= QuantityRange.maximum else {
                    throw LedgerError.invalidArgument("\(line.quantity) × \(line.sku) needs more \(component.sku) than the ledger can count")
                }
                parts.append(
                    Part(
                        line: index, sku: component.sku, quantity: units, location: line.location, bundle: line.sku, bundleQuantity: line.quantity))
            }
        }
        return parts
    }

    /// Backorders as `oversold` conflicts: the order, the line, and how many units are missing.
    private func record(_ backorders: [Backorder], request: SourcingRequest, on connection: PostgresConnection) throws {
        for backorder in backorders {
            let location = request.lines[backorder.line].location ?? (request.kind == .pickup ? request.pickupStore : nil)
            let detail: ConflictDetail = [
                "order": request.externalRef, "line": backorder.line, "bundle": backorder.bundleSKU, "requested": backorder.requested,
                "reserved": backorder.reserved, "available": backorder.reserved, "backorder": backorder.requested - backorder.reserved,
            ]
            try ConflictStore.record(
                .oversold, channel: request.channel, sku: backorder.sku, location: location, detail: detail.withoutNulls, on: connection)
        }
    }

    /// Pickup units held away from the store as `pickup_shortfall` conflicts proposing the transfer.
    private func record(_ transfers: [PickupTransfer], request: SourcingRequest, on connection: PostgresConnection) throws {
        for transfer in transfers {
            let proposal: ConflictDetail = ["from": transfer.from, "quantity": transfer.quantity, "distance": transfer.distance]
            let detail: ConflictDetail = [
                "orders": [request.externalRef], "shortfall": transfer.quantity, "reservation": transfer.reservation,
                "transfer": proposal.withoutNulls,
            ]
            try ConflictStore.record(
                .pickupShortfall, channel: request.channel, sku: transfer.sku, location: transfer.to, detail: detail, on: connection)
        }
    }

    /// Commits (fulfilled) or releases (cancelled) every active part of a channel order in one transaction.
    /// Parts already finished are left as they are, so a repeat changes nothing.
    package func finishOrder(channel: String, externalRef: String, commit: Bool) throws -> [Reservation] {
        let finished = try pool.transaction { connection in
            let parts = try connection.query(
                """
                UPDATE reservations SET status = $3, updated_at = now()
                WHERE channel = $1 AND external_ref = $2 AND status = 'active'
                RETURNING \(Reservation.columns)
                """, [channel, externalRef, commit ? "committed" : "released"]
            ).map { try Reservation(row: $0) }.sorted { ($0.sku, $0.location, $0.id) < ($1.sku, $1.location, $1.id) }
            for part in parts {
                _ = try applyOrExplain(
                    LevelChange(
                        sku: part.sku, location: part.location, delta: commit ? -part.quantity : 0, reservedDelta: -part.quantity,
                        reason: commit ? .reservationCommit : .release, reference: part.externalRef ?? part.id,
                        movementKey: "\(commit ? "fulfil" : "cancel"):\(part.id)"), requested: 0, on: connection)
            }
            return parts
        }
        if !finished.isEmpty { try? wakeSyncWorkers() }
        return finished
    }
}
