import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import HTTPTypes

/// A client shared by the channel tests (connections to the simulators are kept alive).
let sharedClient = CurlHTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(2), totalTimeout: .seconds(5)))

/// Webhook header fields from pairs, as the server hands them to an adapter.
func headers(_ pairs: [(String, String)]) -> HTTPFields {
    HTTPFields(pairs.map { HTTPField(name: HTTPField.Name($0.0)!, value: $0.1) })
}

/// A running simulator for the duration of `body`.
func withSimulator<S: ChannelSimulator, Result>(_ simulator: S, _ body: (S) async throws -> Result) async throws -> Result {
    try await simulator.start()
    do {
        let result = try await body(simulator)
        await simulator.stop()
        return result
    } catch {
        await simulator.stop()
        throw error
    }
}

/// The bytes of a string.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Every page of `channel`'s levels: how many pages there were and all their items.
func allLevels(_ channel: some Channel) async throws -> (pages: Int, items: [ChannelLevelSnapshot]) {
    var cursor: String?
    var pages = 0
    var items: [ChannelLevelSnapshot] = []
    repeat {
        let page = try await channel.fetchLevels(cursor: cursor)
        items += page.items
        cursor = page.hasMore ? page.nextCursor : nil
        pages += 1
    } while cursor != nil
    return (pages, items)
}
