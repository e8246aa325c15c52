import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Hummingbird
import Server
import Testing

/// The OpenAPI document and the router describe exactly the same operations.
@Suite("OpenAPI document")
struct OpenAPICoverageTests {
    @Test("every registered route is in openapi.json and every documented operation is registered")
    func coverage() async throws {
        let harness = try await ServerHarness.start()
        let routes = Set(harness.server.makeRouter().routes.map { "\($0.method.rawValue) \($0.path.description)" })
        await harness.stop()
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        #expect(routes.subtracting(documented).isEmpty, "not documented: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "not registered: \(documented.subtracting(routes).sorted())")
        #expect(routes.count == 22)
    }

    @Test("the channel kinds the document lists are the adapters this build has")
    func channelKinds() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as? [String: Any])
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let status = (schemas?["ChannelStatus"] as? [String: Any])?["properties"] as? [String: Any]
        let kinds = try #require((status?["kind"] as? [String: Any])?["enum"] as? [String])
        #expect(kinds == ChannelAdapters.kinds.map(\.name))
    }

    @Test("the document is served without a token")
    func served() async throws {
        try await ServerHarness.with { server in
            let response = try await server.send(.get, "/v1/openapi.json")
            #expect(response.status == 200)
            #expect(response.body == OpenAPIDocument.bytes)
        }
    }
}
