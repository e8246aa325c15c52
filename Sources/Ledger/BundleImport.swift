/// One row of a bundle file (`bundle_sku,component_sku,quantity[,name][,barcode]`), as read: nothing checked yet.
package struct BundleImportRow: Sendable, Equatable {
    package var line: Int
    package var bundle: String
    package var component: String
    package var quantity: String
    package var name: String?
    /// The bundle's barcode (GTIN/EAN), on any of its rows.
    package var barcode: String?

    package init(line: Int, bundle: String, component: String, quantity: String, name: String? = nil, barcode: String? = nil) {
        self.barcode = barcode
        self.line = line
        self.bundle = bundle
        self.component = component
        self.quantity = quantity
        self.name = name
    }
}

extension BundleDefinition {
    /// Groups a bundle file's rows into definitions (in the order bundles first appear), or refuses the file with
    /// one message per bad row: a missing SKU, a quantity that is no whole number from 1 to
    /// `Catalog.maxComponentQuantity`, a component listed twice for one bundle, two different names or barcodes for one bundle.
    package static func from(_ rows: [BundleImportRow]) throws -> [BundleDefinition] {
        var problems: [String] = []
        var definitions: [BundleDefinition] = []
        var index: [String: Int] = [:]
        for row in rows {
            guard !row.bundle.isEmpty, !row.component.isEmpty else {
                problems.append("line \(row.line): bundle_sku and component_sku are required")
                continue
            }
            guard let quantity = Int(row.quantity), (1...Catalog.maxComponentQuantity).contains(quantity) else {
                problems.append(
                    "line \(row.line): quantity must be a whole number from 1 to \(Catalog.maxComponentQuantity), not \"\(row.quantity)\"")
                continue
            }
            if index[row.bundle] == nil {
                index[row.bundle] = definitions.count
                definitions.append(BundleDefinition(sku: row.bundle, components: []))
            }
            let position = index[row.bundle]!
            if let name = row.name, !name.isEmpty {
                if definitions[position].name.isEmpty {
                    definitions[position].name = name
                } else if definitions[position].name != name {
                    problems.append("line \(row.line): \(row.bundle) was already named \"\(definitions[position].name)\"")
                }
            }
            if let barcode = row.barcode, !barcode.isEmpty {
                if let earlier = definitions[position].barcode, earlier != barcode {
                    problems.append("line \(row.line): \(row.bundle) already has barcode \(earlier)")
                } else {
                    definitions[position].barcode = barcode
                }
            }
            if definitions[position].components.contains(where: { $0.sku == row.component }) {
                problems.append("line \(row.line): \(row.component) is listed twice for \(row.bundle)")
                continue
            }
            definitions[position].components.append(BundleComponent(sku: row.component, quantity: quantity))
        }
        if rows.isEmpty { problems.append("the file has no rows") }
        guard problems.isEmpty else { throw BundleDefinitionError(problems: problems) }
        return definitions
    }
}
