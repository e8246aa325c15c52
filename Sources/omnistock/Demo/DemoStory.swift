import ChannelSimulators
import Foundation
import Ledger
import PostgresClient
import Sync

/// The scripted part of the demo: each step changes something on a channel, waits until every channel
/// shows the ledger's values again, and prints what each one shows for the featured SKU.
struct DemoStory: Sendable {
    let world: DemoWorld
    let runtime: Runtime
    let reconcile: ReconcileEngine
    let port: Int
    let featured = DemoWorld.sku(1)

    func webhookURL(_ channel: String) -> String { "http://127.0.0.1:\(port)/webhooks/\(channel)" }

    func play() async throws {
        try await converge("Starting point: the catalogue pushed to every channel")

        _ = try await world.shop.addOrder(lines: [(sku: featured, quantity: 2)], deliverTo: webhookURL("webshop"))
        try await converge("1. A webshop order for 2 × \(featured) (Shopify webhook) reserves stock; every channel drops")

        _ = try await world.pos.sendWebhook(
            type: "order.created",
            data: [
                "order": "CC-1001", "fulfillment": "pickup", "pickup_location": "store-krakow",
                "lines": [["sku": featured, "quantity": 1]], "created_at": ISO8601DateFormatter().string(from: Date()),
            ],
            to: webhookURL("pos-krakow"))
        try await converge("2. A click-and-collect order at store-krakow: held at the store's POS, pickup availability drops")

        _ = try await world.pos.sendWebhook(
            type: "stock.adjusted",
            data: ["sku": featured, "location": "store-krakow", "delta": -1, "reason": "walk-in sale", "reference": "POS-77"],
            to: webhookURL("pos-krakow"))
        try await converge("3. A walk-in customer buys one at store-krakow (POS webhook)")

        world.marketplace.addOrderEvent(
            type: "READY_FOR_PROCESSING", checkoutForm: "allegro-order-1", lines: [(offer: DemoWorld.offerID(1), quantity: 1)])
        world.marketplace.setStock(offer: DemoWorld.offerID(2), available: 42)
        say("\n4. The marketplace sells one \(featured) (Allegro has no webhooks: the order waits in its event feed),")
        say("   and someone edits the offer of \(DemoWorld.sku(2)) by hand to 42. Reconcile runs:")
        let report = try await reconcile.run(channel: nil, dryRun: false, trigger: .cli)
        for channel in report.channels {
            say(
                "   \(channel.channel): compared \(channel.compared), in sync \(channel.inSync), drift \(channel.drift), missed orders \(channel.missedOrders), errors \(channel.errors.count)"
            )
        }
        try await converge("   … the missed order is imported and the ledger wins over the hand edit")
        let offer2 = world.marketplace.offer(DemoWorld.offerID(2))?.available ?? -1
        let expected2 = try runtime.ledger.channelValue(channel: "marketplace", sku: DemoWorld.sku(2), scope: "*")
        say("   \(DemoWorld.sku(2)) on the marketplace: \(offer2) (ledger says \(expected2))")
        try showConflicts()
    }

    /// Waits until nothing is pending anywhere, then prints the snapshot under `title` (and, after a minute
    /// without settling, what is still open, so a stuck step explains itself).
    func converge(_ title: String) async throws {
        let deadline = Date().addingTimeInterval(60)
        var unsettled: [String] = []
        repeat {
            let status = try SyncStatusReport.read(from: runtime.pool)
            unsettled = status.channels.filter { $0.pendingTargets > 0 || $0.permanentErrors > 0 }.map { channel in
                "\(channel.channel): \(channel.pendingTargets) pending, \(channel.permanentErrors) refused (last error: \(channel.lastError ?? "none"))"
            }
            if status.inboxBacklog > 0 { unsettled.append("inbox: \(status.inboxBacklog) webhooks waiting") }
            if unsettled.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        } while Date() < deadline
        say("\n\(title)")
        for line in unsettled { say("   not settled after 60 s — \(line)") }
        try await showSnapshot()
    }

    func showSnapshot() async throws {
        let report = try runtime.ledger.stock(sku: featured)
        say("   \(featured)        on hand  reserved  available  webshop shows")
        for location in report.locations {
            let shown = world.shop.level(sku: featured, location: DemoWorld.shopifyLocation(location.location)).map(String.init) ?? "-"
            let pad = { (text: String, width: Int) in text.padding(toLength: width, withPad: " ", startingAt: 0) }
            say(
                "   \(pad(location.location, 16)) \(pad(String(location.onHand), 8)) \(pad(String(location.reserved), 9)) \(pad(String(location.available), 10)) \(shown)"
            )
        }
        let offer = world.marketplace.offer(DemoWorld.offerID(1))
        let expected = report.channels.first { $0.channel == "marketplace" }?.value ?? 0
        say("   marketplace offer: \(offer.map { "\($0.available) (\($0.status))" } ?? "-"), ledger says \(expected)")
        let held = world.pos.reservations.count
        say(
            "   store-krakow POS shows \(world.pos.level(sku: featured, location: "store-krakow")?.available ?? 0), holds \(held) pickup reservation(s)"
        )
    }

    func showConflicts() throws {
        let rows = try ConflictStore.newest(limit: 5, includingResolved: true, pool: runtime.pool).map {
            "\($0.kind) on \($0.channel ?? "-") for \($0.sku ?? "-"): \($0.resolution ?? "open")"
        }
        say("\n   latest conflicts:")
        for row in rows { say("   - \(row)") }
    }
}

/// Prints a line of the demo at once, even when stdout is a pipe.
func say(_ text: String) {
    print(text)
    fflush(nil)
}
