import Foundation

/// The OpenAPI 3.1 description of every route (`openapi.json`, a resource of this module), served at
/// `GET /v1/openapi.json`. A test keeps it and the router in step.
package enum OpenAPIDocument {
    /// The document's bytes.
    package static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            preconditionFailure("openapi.json is missing from the Server module's resources")
        }
        return Array(data)
    }()
}
