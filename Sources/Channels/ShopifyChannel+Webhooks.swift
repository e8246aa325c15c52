import ChannelVocabulary
import Foundation
import HTTPTypes

extension ShopifyChannel {
    /// `X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the raw body with the app's client secret.
    package func verifyWebhook(headers: HTTPFields, body: [UInt8], now: Date) -> WebhookVerdict {
        WebhookSignature.verifyBodySignature(headers.first(.shopifyHmacSHA256), body: body, secrets: configuration.webhookSecrets)
    }

    /// Topics `orders/create`, `orders/cancelled`, `orders/fulfilled`, `refunds/create` (lines restocked as
    /// returns → a positive adjustment; lines restocked by cancellation are left to the cancellation) and
    /// `inventory_levels/update` (a drift signal). Other topics give no events. The event id is
    /// `X-Shopify-Webhook-Id`; `X-Shopify-Event-Id` is kept as the source event id. A refund's event id is
    /// `refund:{id}` instead: the delivery headers are not covered by the signature, so a refund replayed
    /// under new delivery ids must still be stored (and its units counted) once. Orders need no such key:
    /// their ledger writes are keyed by the order and line.
    package func parseWebhook(headers: HTTPFields, body: [UInt8]) throws(ChannelError) -> [NormalizedEvent] {
        let json = try JSON.parse(body)
        let id = headers.first(.shopifyWebhookID) ?? ""
        let sourceID = headers.first(.shopifyEventID)
        let event = { (kind: NormalizedEvent.Kind, order: String?, lines: [NormalizedEvent.Line]) in
            NormalizedEvent(id: id, kind: kind, orderRef: order, lines: lines, sourceEventID: sourceID)
        }
        switch headers.first(.shopifyTopic) {
        case "orders/create":
            var created = event(.orderCreated, try orderID(json), json["line_items"].array.map(line))
            created.occurredAt = Timestamps.parse(json["created_at"].string)
            return [created]
        case "orders/cancelled":
            return [event(.orderCancelled, try orderID(json), [])]
        case "orders/fulfilled":
            return [event(.orderFulfilled, try orderID(json), [])]
        case "refunds/create":
            let returned = json["refund_line_items"].array.filter {
                ["return", "legacy_restock"].contains($0["restock_type"].string ?? "")
            }
            guard !returned.isEmpty else { return [] }
            let order = json["order_id"].string.map { "gid://shopify/Order/\($0)" }
            var adjusted = event(
                .stockAdjusted, order,
                returned.map { entry in
                    NormalizedEvent.Line(
                        sku: entry["line_item"]["sku"].string, externalID: entry["line_item"]["variant_id"].string,
                        quantity: entry["quantity"].int ?? 0,
                        location: entry["location_id"].string.flatMap(configuration.locationCode(forShopifyID:))
                    )
                })
            let refund = try json["id"].requiredString("id")
            adjusted.id = "refund:\(refund)"
            adjusted.reason = "return"
            adjusted.reference = "refund:\(refund)"
            return [adjusted]
        case "inventory_levels/update":
            let item = try json["inventory_item_id"].requiredString("inventory_item_id")
            return [
                event(
                    .channelLevelChanged, nil,
                    [
                        NormalizedEvent.Line(
                            sku: nil, externalID: "gid://shopify/InventoryItem/\(item)", quantity: json["available"].int ?? 0,
                            location: json["location_id"].string.flatMap(configuration.locationCode(forShopifyID:))
                        )
                    ])
            ]
        default:
            return []
        }
    }

    private func orderID(_ order: JSON) throws(ChannelError) -> String {
        if let gid = order["admin_graphql_api_id"].string { return gid }
        return "gid://shopify/Order/" + (try order["id"].requiredString("id"))
    }

    private func line(_ item: JSON) -> NormalizedEvent.Line {
        NormalizedEvent.Line(sku: item["sku"].string, externalID: item["variant_id"].string, quantity: item["quantity"].int ?? 0)
    }
}

extension HTTPField.Name {
    /// Base64 HMAC-SHA256 of a Shopify webhook's raw body.
    package static let shopifyHmacSHA256 = Self("X-Shopify-Hmac-Sha256")!
    /// The id of one Shopify webhook delivery.
    package static let shopifyWebhookID = Self("X-Shopify-Webhook-Id")!
    /// The id of the Shopify event a delivery reports (the same across deliveries of it).
    package static let shopifyEventID = Self("X-Shopify-Event-Id")!
    /// The Shopify webhook topic (`orders/create`).
    package static let shopifyTopic = Self("X-Shopify-Topic")!
}
