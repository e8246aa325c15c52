import Hummingbird
import Ledger

extension AdminAPI {
    /// The body of `PUT /v1/bundles/{sku}`.
    struct BundleBody: Decodable, Sendable {
        var name: String?
        var components: [BundleComponent]
        var barcode: String?
    }

    private struct BundleList: Encodable {
        var bundles: [BundleDefinition]
    }

    /// `GET /v1/bundles`, `GET /v1/bundles/{sku}` and `PUT /v1/bundles/{sku}` (define or redefine; idempotent).
    func registerBundles(read: Group, write: Group) {
        let catalog = Catalog(pool: ledger.pool)
        read.get("/bundles") { _, _ in
            JSONBody.response(BundleList(bundles: try await database.run { _ in try catalog.bundles() }))
        }
        read.get("/bundles/{sku}") { _, context in
            let sku = try context.parameters.require("sku")
            guard let bundle = try await database.run({ _ in try catalog.bundle(sku) }) else {
                throw APIError.notFound("unknown_bundle", "no bundle \(sku)")
            }
            return JSONBody.response(bundle)
        }
        write.put("/bundles/{sku}") { request, context in
            var request = request
            let sku = try context.parameters.require("sku")
            let body = try await JSONBody.decode(BundleBody.self, from: &request, limit: maxBodyBytes)
            let definition = BundleDefinition(sku: sku, name: body.name ?? "", components: body.components, barcode: body.barcode)
            let stored = try await database.run { _ in
                try catalog.defineBundles([definition])
                return try catalog.bundle(sku)
            }
            return JSONBody.response(stored ?? definition)
        }
    }
}
