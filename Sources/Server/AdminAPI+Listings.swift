import Hummingbird
import Ledger

extension AdminAPI {
    /// The body of `PUT /v1/channels/{code}/listings/{sku}`.
    struct ListingBody: Decodable, Sendable {
        var externalId: String
        var location: String?
    }

    private struct ListingList: Encodable {
        var listings: [ListingMapping]
    }

    /// `GET /v1/channels/{code}/listings`, `PUT` and `DELETE /v1/channels/{code}/listings/{sku}` (`?location=` for a
    /// per-location listing): mappings set by hand win over discovery and are pushed to at once.
    func registerListings(read: Group, write: Group) {
        let catalog = Catalog(pool: ledger.pool)
        read.get("/channels/{code}/listings") { _, context in
            let code = try context.parameters.require("code")
            guard let listings = try await database.run({ _ in try catalog.listings(channel: code) }) else {
                throw APIError.notFound("unknown_channel", "no channel \(code)")
            }
            return JSONBody.response(ListingList(listings: listings))
        }
        write.put("/channels/{code}/listings/{sku}") { request, context in
            var request = request
            let code = try context.parameters.require("code")
            let sku = try context.parameters.require("sku")
            let body = try await JSONBody.decode(ListingBody.self, from: &request, limit: maxBodyBytes)
            let mapping = ListingMapping(channel: code, sku: sku, externalID: body.externalId, location: body.location)
            try await database.run { _ in try catalog.setListings([mapping]) }
            return JSONBody.response(mapping)
        }
        write.delete("/channels/{code}/listings/{sku}") { request, context in
            let code = try context.parameters.require("code")
            let sku = try context.parameters.require("sku")
            let location = request.uri.queryParameters["location"].map(String.init)
            guard try await database.run({ _ in try catalog.removeListing(channel: code, sku: sku, location: location) }) else {
                throw APIError.notFound("unknown_listing", "no listing of \(sku) at \(code)")
            }
            return Response(status: .noContent)
        }
    }
}
