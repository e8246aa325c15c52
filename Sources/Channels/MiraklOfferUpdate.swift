/// The OF24 form of an offer Omnistock only changes the quantity of.
///
/// OF24 resets every field it is not sent ("You must send all offer fields. Offer fields that are not sent are reset
/// to their default value", https://developer.mirakl.com/content/product/mmp/rest/seller/openapi3/offers/of24), so the
/// offer goes back as OF21 lists it (https://developer.mirakl.com/content/product/mmp/rest/seller/openapi3/offers/of21):
/// the product (`product_sku` as `product_id` of type `SKU`), price, state, descriptions, alerts, lead time,
/// logistic class, availability dates, order quantities, discount and additional fields, with the new `quantity` and
/// `update_delete: update`. Fields OF21 does not return (advanced channel and volume prices on platforms that use them)
/// cannot be carried: a seller who sets those in the back office should know OF24 resets them.
enum MiraklOfferUpdate {
    /// OF21 fields OF24 takes under the same name and shape.
    static let sameName = [
        "shop_sku", "price", "state_code", "description", "internal_description", "min_quantity_alert", "leadtime_to_ship",
        "price_additional_info", "min_order_quantity", "max_order_quantity", "package_quantity", "allow_quote_requests",
    ]

    /// OF21 names → OF24 names for the availability period.
    static let renamed = ["available_start_date": "available_started", "available_end_date": "available_ended"]

    /// The OF24 offer for `offer` (an OF21 offer) with `quantity`.
    static func body(from offer: JSON, quantity: Int) -> JSON {
        var fields: [String: JSON] = [:]
        for key in sameName where !offer[key].isNull { fields[key] = offer[key] }
        for (listed, sent) in renamed where !offer[listed].isNull { fields[sent] = offer[listed] }
        if let product = offer["product_sku"].string {
            fields["product_id"] = .string(product)
            fields["product_id_type"] = "SKU"
        }
        if let logisticClass = offer["logistic_class"]["code"].string { fields["logistic_class"] = .string(logisticClass) }
        let discount = offer["discount"]
        if !discount["discount_price"].isNull {
            fields["discount"] = [
                "price": discount["discount_price"], "start_date": discount["start_date"], "end_date": discount["end_date"],
            ]
        }
        let additional = offer["offer_additional_fields"].array.compactMap { field -> JSON? in
            guard let code = field["code"].string else { return nil }
            return ["code": .string(code), "value": field["value"]]
        }
        if !additional.isEmpty { fields["offer_additional_fields"] = .array(additional) }
        fields["quantity"] = .int(quantity)
        fields["update_delete"] = "update"
        return .object(fields)
    }
}
