import ChannelVocabulary
import Crypto
import Foundation
import HTTPTypes

extension WooCommerceChannel {
    /// `X-WC-Webhook-Signature`: base64 HMAC-SHA256 of the raw body. The unsigned ping WooCommerce sends
    /// when a webhook is created (form body `webhook_id=<id>`) is recognised as a ping.
    package func verifyWebhook(headers: HTTPFields, body: [UInt8], now: Date) -> WebhookVerdict {
        if headers.first(.wooCommerceSignature) == nil, Self.isPing(body) { return .ping }
        return WebhookSignature.verifyBodySignature(headers.first(.wooCommerceSignature), body: body, secrets: configuration.webhookSecrets)
    }

    /// `order.created` → created; `order.updated` → cancelled (cancelled, refunded, failed), fulfilled
    /// (completed) or created (any other status; the ledger imports an order once); `product.updated` →
    /// a drift signal. Pings and other topics give no events. Keyed by ``deliveryKey(headers:body:json:)``.
    package func parseWebhook(headers: HTTPFields, body: [UInt8]) throws(ChannelError) -> [NormalizedEvent] {
        if Self.isPing(body) { return [] }
        let json = try JSON.parse(body)
        let id = Self.deliveryKey(headers: headers, body: body, json: json)
        switch headers.first(.wooCommerceTopic) {
        case "order.created":
            return [Self.event(json, id: id, kind: .orderCreated)]
        case "order.updated":
            let kind: NormalizedEvent.Kind =
                switch json["status"].string {
                case "cancelled", "refunded", "failed": .orderCancelled
                case "completed": .orderFulfilled
                default: .orderCreated
                }
            return [Self.event(json, id: id, kind: kind)]
        case "product.updated":
            guard json["manage_stock"].bool == true, let quantity = json["stock_quantity"].int else { return [] }
            let external = (json["parent_id"].int ?? 0) == 0 ? json["id"].string : "\(json["parent_id"].int ?? 0)/\(json["id"].int ?? 0)"
            return [
                NormalizedEvent(
                    id: id, kind: .channelLevelChanged,
                    lines: [
                        NormalizedEvent.Line(
                            sku: json["sku"].string, externalID: external, quantity: quantity, location: ChannelLevel.pooled
                        )
                    ])
            ]
        default:
            return []
        }
    }

    /// What identifies one delivery: the resource (`X-WC-Webhook-Resource` and the body's `id`), a digest of the
    /// body and `X-WC-Webhook-Delivery-ID`, as `<resource>-<id>/<digest>/<delivery id>`. WooCommerce builds the
    /// delivery id from the webhook id and the current second only (`wp_hash($id . strtotime('now'))`,
    /// `WC_Webhook::get_new_delivery_id` in class-wc-webhook.php), so two different deliveries of one webhook in one
    /// second share it; a true redelivery repeats all three and is still stored once. Empty without a delivery id
    /// (refused as malformed).
    static func deliveryKey(headers: HTTPFields, body: [UInt8], json: JSON) -> String {
        guard let delivery = headers.first(.wooCommerceDeliveryID), !delivery.isEmpty else { return "" }
        let resource = keyPart(headers.first(.wooCommerceResource) ?? "resource")
        let digest = SHA256.hash(data: body).prefix(12).lowercaseHex
        return "\(resource)-\(keyPart(json["id"].string ?? ""))/\(digest)/\(delivery)"
    }

    /// At most 32 characters of `text`, letters, digits, `.`, `_` and `-` only (no `/`, which separates the key's parts).
    private static func keyPart(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }.prefix(32))
    }

    private static func isPing(_ body: [UInt8]) -> Bool {
        let text = String(decoding: body.prefix(64), as: UTF8.self)
        return text.hasPrefix("webhook_id=") && text.dropFirst("webhook_id=".count).allSatisfy(\.isNumber)
    }
}

extension HTTPField.Name {
    /// Base64 HMAC-SHA256 of a WooCommerce webhook's raw body.
    package static let wooCommerceSignature = Self("X-WC-Webhook-Signature")!
    /// The WooCommerce webhook topic (`order.created`).
    package static let wooCommerceTopic = Self("X-WC-Webhook-Topic")!
    /// WooCommerce's delivery id (webhook id and second, see ``WooCommerceChannel/deliveryKey(headers:body:json:)``).
    package static let wooCommerceDeliveryID = Self("X-WC-Webhook-Delivery-ID")!
    /// The resource a WooCommerce webhook reports (`order`, `product`).
    package static let wooCommerceResource = Self("X-WC-Webhook-Resource")!
}
