import Foundation
import Hummingbird
import Synchronization

/// A self-hosted PrestaShop 1.7/8.x shop speaking the parts of its webservice Omnistock uses. Vendor behaviours
/// modelled, each from PrestaShop's developer documentation or its source:
/// - The webservice lives under `<shop>/api/`; the key is the HTTP Basic user with an empty password, or the
///   `ws_key` query parameter; without a valid key the answer is `401` with a `WWW-Authenticate: Basic` challenge.
///   https://devdocs.prestashop-project.org/8/webservice/tutorials/testing-access
/// - A key carries permissions per resource and method (Advanced Parameters → Webservice); a method the key
///   lacks is refused with `401`. https://devdocs.prestashop-project.org/8/webservice/tutorials/creating-access/
/// - `output_format=JSON` switches answers from XML to JSON; list options `display=full|[f1,f2]`,
///   `filter[field]=[a|b]` (OR), `[a,b]` (interval), `[a]` (literal), `sort=[field_ASC]`, `limit=n` or
///   `limit=offset,n`. https://devdocs.prestashop-project.org/8/webservice/cheat-sheet/ and
///   https://devdocs.prestashop-project.org/8/webservice/tutorials/advanced-use/additional-list-parameters
/// - A filter on a date field needs `date=1` to compare full date-times; without it nothing matches.
///   https://github.com/PrestaShop/PrestaShop/issues/10822
/// - Request bodies are XML (`<prestashop><stock_available>…`): every create/update example in the docs sends XML
///   and the cheat sheet offers `output_format` only, no input format.
///   https://devdocs.prestashop-project.org/8/webservice/tutorials/create-product-az
/// - `stock_availables` takes GET and PUT (8.x also PATCH); a PUT replaces the resource, so every required field
///   must be present: `id_product`, `id_product_attribute`, `quantity` (isInt, at most 10 digits),
///   `depends_on_stock` (isBool), `out_of_stock` (isInt).
///   https://devdocs.prestashop-project.org/8/webservice/resources/stock_availables and
///   https://devdocs.prestashop-project.org/8/webservice/reference/
/// - One stock_available per product, and one per combination (`id_product_attribute`); `quantity` is what can
///   still be sold. The product's own row (`id_product_attribute = 0`) of a product with combinations holds
///   their sum. https://devdocs.prestashop-project.org/8/faq/stock
/// - `out_of_stock`: 0 deny orders, 1 allow orders (backorders), 2 the shop's default.
/// - Orders carry `current_state`, `date_add`, `date_upd` (`yyyy-MM-dd HH:mm:ss`, the shop's time) and
///   `associations.order_rows` (`product_id`, `product_attribute_id`, `product_reference`, `product_quantity`).
///   https://devdocs.prestashop-project.org/8/webservice/resources/orders
/// - Order states are rows of `order_states` with flags (`shipped`, `paid`, `delivery`, …); the installer creates
///   them in this order, so a fresh shop's ids are 1 Awaiting cheque, 2 Payment accepted, 3 Preparation,
///   4 Shipped, 5 Delivered, 6 Canceled, 7 Refund, 8 Payment error, 9 On backorder (paid), 10 Awaiting bank wire,
///   11 Remote payment accepted, 12 On backorder (unpaid), 13 Awaiting cash on delivery.
///   https://github.com/PrestaShop/PrestaShop/blob/develop/install-dev/data/xml/order_state.xml and
///   https://devdocs.prestashop-project.org/8/webservice/resources/order_states/
/// - Errors are a list: `{"errors":[{"code":…,"message":"…"}]}` in JSON.
/// - Core PrestaShop sends no webhooks; a self-hosted shop documents no request limit (a host in front of it may
///   still answer `429`/`503`, which the fault queue models).
/// Left open by the docs and chosen here: an empty list answers `[]` (no resource key); numbers other than `id`
/// are strings, as the JSON output writes the XML text nodes.
package final class PrestaShopSimulator: ChannelSimulator {
    /// One stock_available row.
    package struct Stock: Sendable, Hashable {
        /// The row id (what Omnistock pushes to).
        package var id: Int
        /// The product.
        package var productID: Int
        /// The combination, 0 for the product itself.
        package var attributeID: Int
        /// What can still be sold.
        package var quantity: Int
        /// Advanced stock management drives the quantity.
        package var dependsOnStock: Bool
        /// 0 deny orders when out of stock, 1 allow them, 2 the shop's default.
        package var outOfStock: Int
        /// A free-text shelf location.
        package var location: String
    }

    struct Item: Sendable {
        var id: Int
        var productID: Int
        var reference: String
        var ean13: String
    }

    /// An order in the shop.
    package struct Order: Sendable {
        /// The order id.
        package var id: Int
        /// The `order_states` id it is in.
        package var state: Int
        /// When it was placed.
        package var createdAt: Date
        /// When it last changed.
        package var updatedAt: Date
        /// Its rows: product, combination, reference and quantity.
        package var rows: [(productID: Int, attributeID: Int, reference: String, quantity: Int)]
    }

    struct State {
        var products: [Int: Item] = [:]
        var combinations: [Int: Item] = [:]
        var stock: [Int: Stock] = [:]
        var orders: [Order] = []
        var shippedStates: Set<Int> = [4, 5]
        var paidStates: Set<Int> = [2, 3, 4, 5, 9, 11]
        var stateCount = 13
        var nextID = 0
        var allowedMethods: Set<String> = ["GET", "PUT"]
        var rawAnswers: [String] = []
    }

    /// The shared machinery.
    package let core = SimulatorCore()
    let key: String
    let state = Mutex(State())

    /// Creates a shop accepting the webservice key `key`.
    package init(key: String) {
        self.key = key
    }

    private func nextID(_ state: inout State) -> Int {
        state.nextID += 1
        return state.nextID
    }

    /// Adds a product without combinations and returns its id and its stock_available id.
    @discardableResult
    package func addProduct(
        reference: String, quantity: Int, ean13: String = "", outOfStock: Int = 2, dependsOnStock: Bool = false
    )
        -> (product: Int, stock: Int)
    {
        state.withLock { state in
            let product = nextID(&state)
            state.products[product] = Item(id: product, productID: product, reference: reference, ean13: ean13)
            let stock = nextID(&state)
            state.stock[stock] = Stock(
                id: stock, productID: product, attributeID: 0, quantity: quantity, dependsOnStock: dependsOnStock, outOfStock: outOfStock,
                location: "")
            return (product, stock)
        }
    }

    /// Adds a product with combinations; returns the product's stock row (the sum) and each combination's row.
    @discardableResult
    package func addProductWithCombinations(
        reference: String, combinations: [(reference: String, quantity: Int)]
    )
        -> (product: Int, total: Int, stocks: [Int])
    {
        state.withLock { state in
            let product = nextID(&state)
            state.products[product] = Item(id: product, productID: product, reference: reference, ean13: "")
            let total = nextID(&state)
            state.stock[total] = Stock(
                id: total, productID: product, attributeID: 0, quantity: combinations.reduce(0) { $0 + $1.quantity }, dependsOnStock: false,
                outOfStock: 2, location: "")
            let stocks = combinations.map { combination in
                let attribute = nextID(&state)
                state.combinations[attribute] = Item(id: attribute, productID: product, reference: combination.reference, ean13: "")
                let stock = nextID(&state)
                state.stock[stock] = Stock(
                    id: stock, productID: product, attributeID: attribute, quantity: combination.quantity, dependsOnStock: false,
                    outOfStock: 2, location: "")
                return stock
            }
            return (product, total, stocks)
        }
    }

    /// A stock_available row as the shop holds it.
    package func stock(_ id: Int) -> Stock? {
        state.withLock { $0.stock[id] }
    }

    /// Edits a stock_available row by hand (the back office).
    package func editStock(_ id: Int, _ edit: (inout Stock) -> Void) {
        state.withLock { state in
            guard var row = state.stock[id] else { return }
            edit(&row)
            state.stock[id] = row
            Self.resum(product: row.productID, in: &state)
        }
    }

    /// The product row of a product with combinations holds their sum.
    static func resum(product: Int, in state: inout State) {
        let rows = state.stock.values.filter { $0.productID == product }
        guard rows.contains(where: { $0.attributeID != 0 }), let total = rows.first(where: { $0.attributeID == 0 }) else { return }
        state.stock[total.id]?.quantity = rows.filter { $0.attributeID != 0 }.reduce(0) { $0 + $1.quantity }
    }

    /// Limits the key to these HTTP methods (all resources).
    package func allowMethods(_ methods: Set<String>) {
        state.withLock { $0.allowedMethods = methods }
    }

    /// Answers the next authorized request with `body` as it is (a broken module or proxy in front of the shop: bad
    /// JSON, missing fields, out-of-range numbers).
    package func answerNext(with body: String) {
        state.withLock { $0.rawAnswers.append(body) }
    }

    /// Adds an order state of the merchant's own (Orders → Statuses) and returns its id.
    package func addOrderState(shipped: Bool) -> Int {
        state.withLock { state in
            state.stateCount += 1
            if shipped { state.shippedStates.insert(state.stateCount) }
            return state.stateCount
        }
    }

    /// Places an order for products or combinations by reference, in state `state` (2, Payment accepted, by default).
    @discardableResult
    package func addOrder(lines: [(reference: String, quantity: Int)], state orderState: Int = 2, at date: Date = Date()) -> Order {
        state.withLock { state in
            let rows = lines.map { line -> (productID: Int, attributeID: Int, reference: String, quantity: Int) in
                if let combination = state.combinations.values.first(where: { $0.reference == line.reference }) {
                    return (combination.productID, combination.id, line.reference, line.quantity)
                }
                let product = state.products.values.first { $0.reference == line.reference }
                return (product?.id ?? 0, 0, line.reference, line.quantity)
            }
            let order = Order(id: nextID(&state), state: orderState, createdAt: date, updatedAt: date, rows: rows)
            state.orders.append(order)
            return order
        }
    }

    /// Moves an order to `state` at `date` (which becomes its `date_upd`).
    @discardableResult
    package func updateOrder(_ id: Int, state orderState: Int, at date: Date = Date()) -> Order? {
        state.withLock { state in
            guard let index = state.orders.firstIndex(where: { $0.id == id }) else { return nil }
            state.orders[index].state = orderState
            state.orders[index].updatedAt = date
            return state.orders[index]
        }
    }

    /// `yyyy-MM-dd HH:mm:ss`, as PrestaShop writes dates (the shop's time zone; UTC here).
    package static func shopDate(_ date: Date) -> String {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return format.string(from: date)
    }
}
