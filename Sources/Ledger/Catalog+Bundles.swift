import PostgresClient

/// One component of a bundle: `quantity` units of `sku` in each bundle.
package struct BundleComponent: Codable, Sendable, Equatable {
    package var sku: String
    package var quantity: Int

    package init(sku: String, quantity: Int) {
        self.sku = sku
        self.quantity = quantity
    }
}

/// A bundle (kit) and what one of it is made of.
package struct BundleDefinition: Codable, Sendable, Equatable {
    package var sku: String
    package var name: String
    package var components: [BundleComponent]
    /// The bundle's own barcode (GTIN/EAN), matched by channels with `match = "barcode"`; nil or empty keeps the stored one.
    package var barcode: String?

    package init(sku: String, name: String = "", components: [BundleComponent], barcode: String? = nil) {
        self.barcode = barcode
        self.sku = sku
        self.name = name
        self.components = components
    }
}

/// Why a set of bundle definitions was refused; nothing was stored.
package struct BundleDefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line per problem, naming the bundle and component.
    package var problems: [String]

    package init(problems: [String]) { self.problems = problems }

    package var description: String { problems.joined(separator: "\n") + "\n(nothing was stored)" }
}

extension Catalog {
    /// Most units of one component a bundle may hold.
    package static let maxComponentQuantity = 10_000

    /// Defines (or redefines) `bundles` in one transaction, all of them or none: each bundle's components
    /// replace its earlier ones, and its channel targets are marked due. Refused with every problem found:
    /// unknown components, components that are bundles themselves, a bundle used as a component, a SKU that
    /// holds stock of its own, quantities outside 1…`maxComponentQuantity`, a bundle without components.
    package func defineBundles(_ bundles: [BundleDefinition]) throws {
        try changingTargets { connection in
            var problems: [String] = []
            let skus = Array(Set(bundles.map(\.sku)))
            let components = Array(Set(bundles.flatMap { $0.components.map(\.sku) }))
            let known = try connection.query(
                "SELECT sku, EXISTS (SELECT 1 FROM bundle_components WHERE bundle_sku = sku) FROM skus WHERE sku = ANY ($1::text[])",
                [components]
            ).reduce(into: [String: Bool]()) { known, row in
                let sku = try row.decode(String.self, at: 0)
                known[sku] = try row.decode(Bool.self, at: 1)
            }
            let usedAsComponent = Set(
                try connection.query(
                    "SELECT DISTINCT component_sku FROM bundle_components WHERE component_sku = ANY ($1::text[])", [skus]
                ).map { try $0.decode(String.self, at: 0) })
            let stocked = Set(
                try connection.query(
                    "SELECT DISTINCT sku FROM levels WHERE sku = ANY ($1::text[]) AND (on_hand <> 0 OR reserved <> 0)", [skus]
                ).map { try $0.decode(String.self, at: 0) })
            let defined = Set(skus)
            for bundle in bundles {
                if bundle.components.isEmpty { problems.append("\(bundle.sku): a bundle needs at least one component") }
                if usedAsComponent.contains(bundle.sku) { problems.append("\(bundle.sku): is a component of another bundle (bundles do not nest)") }
                if stocked.contains(bundle.sku) { problems.append("\(bundle.sku): holds stock of its own; a bundle's stock is its components'") }
                for component in bundle.components {
                    if component.sku == bundle.sku {
                        problems.append("\(bundle.sku): cannot contain itself")
                    } else if defined.contains(component.sku) || known[component.sku] == true {
                        problems.append("\(bundle.sku): component \(component.sku) is a bundle (bundles do not nest)")
                    } else if known[component.sku] == nil {
                        problems.append("\(bundle.sku): unknown component SKU \(component.sku)")
                    }
                    if !(1...Self.maxComponentQuantity).contains(component.quantity) {
                        problems.append(
                            "\(bundle.sku): quantity of \(component.sku) must be 1 to \(Self.maxComponentQuantity), not \(component.quantity)")
                    }
                }
                if (bundle.barcode?.utf8.count ?? 0) > 64 { problems.append("\(bundle.sku): barcode must be at most 64 bytes") }
                if Set(bundle.components.map(\.sku)).count < bundle.components.count {
                    problems.append("\(bundle.sku): a component is listed twice")
                }
            }
            if Set(skus).count < bundles.count { problems.append("a bundle is defined twice") }
            guard problems.isEmpty else { throw BundleDefinitionError(problems: problems) }
            for bundle in bundles {
                try connection.query(
                    """
                    INSERT INTO skus AS s (sku, name, kind, barcode) VALUES ($1, $2, 'bundle', NULLIF($3, ''))
                    ON CONFLICT (sku) DO UPDATE SET name = CASE WHEN EXCLUDED.name = '' THEN s.name ELSE EXCLUDED.name END,
                        kind = 'bundle', barcode = COALESCE(EXCLUDED.barcode, s.barcode)
                    """, [bundle.sku, bundle.name, bundle.barcode ?? ""])
                try connection.query("DELETE FROM bundle_components WHERE bundle_sku = $1", [bundle.sku])
                try connection.query(
                    """
                    INSERT INTO bundle_components (bundle_sku, component_sku, quantity)
                    SELECT $1, * FROM unnest($2::text[], $3::int[])
                    """, [bundle.sku, bundle.components.map(\.sku), bundle.components.map(\.quantity)])
            }
            try OutboxStore.markDue(skus: skus, on: connection)
        }
    }

    /// The bundle `sku`, or nil when it is no bundle.
    package func bundle(_ sku: String) throws -> BundleDefinition? {
        try bundles(only: [sku]).first
    }

    /// Every bundle (or those in `only`), by SKU.
    package func bundles(only: [String]? = nil) throws -> [BundleDefinition] {
        try pool.query(
            """
            SELECT s.sku, s.name, jsonb_agg(jsonb_build_object('sku', b.component_sku, 'quantity', b.quantity) ORDER BY b.component_sku),
                   s.barcode
            FROM skus s JOIN bundle_components b ON b.bundle_sku = s.sku
            WHERE $1::text[] IS NULL OR s.sku = ANY ($1)
            GROUP BY s.sku, s.name, s.barcode ORDER BY s.sku
            """, [only]
        ) { rows in
            try rows.map { row in
                BundleDefinition(
                    sku: try row.decode(at: 0), name: try row.decode(at: 1),
                    components: try row.decode(PostgresJSONValue<[BundleComponent]>.self, at: 2).value,
                    barcode: try row.decode(String?.self, at: 3))
            }
        }
    }
}
