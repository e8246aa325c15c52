import ChannelVocabulary
import Channels
import Foundation

/// A channel kind's webhook scheme as the fuzzer sees it: how a sender signs a body, which headers carry
/// the signature and the delivery id, and a realistic event body to mutate.
struct WebhookFuzzTarget: Sendable {
    /// The channel code in ``ServerHarness``.
    var code: String
    /// Header names without any of which a delivery cannot be verified.
    var signatureHeaders: [String]
    /// The header that carries the delivery id (the inbox event id).
    var idHeader: String
    /// Whether the scheme signs a timestamp (Standard Webhooks).
    var hasTimestamp: Bool
    /// The headers a sender with `secret` writes for `body` with delivery `id` at `timestamp`, signature included.
    var sign: @Sendable (_ secret: String, _ id: String, _ timestamp: String, _ body: [UInt8]) -> [(String, String)]
    /// The secret the server accepts, and one it does not.
    var secret: String, wrongSecret: String
    /// A valid event body with order number `n`.
    var body: @Sendable (_ n: Int) -> String
    /// The delivery id an inbox event id was built from (WooCommerce's key ends with it; the others are it).
    var deliveryID: @Sendable (_ eventID: String) -> String = { $0 }

    /// omnistock-json: Standard Webhooks over `{id}.{timestamp}.{body}`.
    static let pos = WebhookFuzzTarget(
        code: "pos", signatureHeaders: ["webhook-id", "webhook-timestamp", "webhook-signature"], idHeader: "webhook-id",
        hasTimestamp: true,
        sign: { secret, id, timestamp, body in
            let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count))).map(Array.init) ?? []
            let signature = "v1," + WebhookSignature.hmacSHA256Base64(key: key, message: Array("\(id).\(timestamp).".utf8) + body)
            return [("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", signature)]
        },
        secret: ServerHarness.posSecret, wrongSecret: "whsec_" + Data("another secret entirely".utf8).base64EncodedString(),
        body: { n in
            #"{"data":{"created_at":"2026-11-20T10:00:00Z","fulfillment":"ship","lines":[{"quantity":1,"sku":"MUG"}],"order":"O-\#(n)"},"type":"order.created"}"#
        })

    /// shopify: `X-Shopify-Hmac-Sha256` over the raw body.
    static let shopify = bodySigned(
        code: "webshop", signatureHeader: "X-Shopify-Hmac-Sha256", topicHeader: "X-Shopify-Topic", topic: "orders/create",
        idHeader: "X-Shopify-Webhook-Id", secret: ServerHarness.shopifySecret,
        body: { n in
            #"{"admin_graphql_api_id":"gid://shopify/Order/\#(n)","created_at":"2026-11-20T10:00:00Z","id":\#(n),"line_items":[{"quantity":1,"sku":"MUG","variant_id":7}]}"#
        })

    /// woocommerce: `X-WC-Webhook-Signature` over the raw body.
    /// The inbox key is `<resource>-<id>/<digest>/<delivery id>` (see `WooCommerceChannel.deliveryKey`).
    static let wooCommerce = {
        var target = bodySigned(
            code: "woo", signatureHeader: "X-WC-Webhook-Signature", topicHeader: "X-WC-Webhook-Topic", topic: "order.created",
            idHeader: "X-WC-Webhook-Delivery-ID", secret: ServerHarness.wooSecret,
            body: { n in #"{"id":\#(n),"line_items":[{"product_id":7,"quantity":2,"sku":"MUG"}],"status":"processing"}"# })
        target.deliveryID = { eventID in
            eventID.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).last.map(String.init) ?? eventID
        }
        return target
    }()

    /// Every channel kind with webhooks.
    static let all = [pos, shopify, wooCommerce]

    /// A scheme that signs the raw body with the plain secret in one header (Shopify, WooCommerce).
    static func bodySigned(
        code: String, signatureHeader: String, topicHeader: String, topic: String, idHeader: String, secret: String,
        body: @escaping @Sendable (Int) -> String
    ) -> WebhookFuzzTarget {
        WebhookFuzzTarget(
            code: code, signatureHeaders: [signatureHeader], idHeader: idHeader, hasTimestamp: false,
            sign: { secret, id, _, body in
                [(signatureHeader, WebhookSignature.hmacSHA256Base64(key: Array(secret.utf8), message: body)), (topicHeader, topic), (idHeader, id)]
            },
            secret: secret, wrongSecret: "not-the-secret", body: body)
    }
}
