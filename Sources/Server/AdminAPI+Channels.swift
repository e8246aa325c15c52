import Foundation
import Hummingbird
import Ledger

extension AdminAPI {
    /// `GET /v1/channels`: each configured channel's sync state — targets waiting to be pushed and the
    /// age of the oldest, targets refused for good, inbox events waiting or failed, and the circuit state.
    func registerChannels(read: Group) {
        read.get("/channels") { _, _ in
            let channels = try await database.run(ChannelStatusQuery.read(from:))
            return JSONBody.response(ChannelList(channels: channels.map(ChannelBody.init)))
        }
    }
}

/// The body of `GET /v1/channels` (`ChannelStatus` in openapi.json): every key present, `null` when unknown.
private struct ChannelList: Encodable {
    var channels: [ChannelBody]
}

private struct ChannelBody: Encodable {
    var status: ChannelStatus

    init(_ status: ChannelStatus) { self.status = status }

    private enum Key: String, CodingKey {
        case code, kind, modelsLocations, outbox, inbox, circuit, consecutiveFailures, lastSuccessAt, lastFailureAt, lastError
        case pending, failed, oldestPendingAgeSeconds
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(status.code, forKey: .code)
        try container.encode(status.kind, forKey: .kind)
        try container.encode(status.modelsLocations, forKey: .modelsLocations)
        var outbox = container.nestedContainer(keyedBy: Key.self, forKey: .outbox)
        try outbox.encode(status.pending, forKey: .pending)
        try outbox.encode(status.permanentErrorsPending, forKey: .failed)
        try outbox.encode(status.oldestPendingSeconds.map { Int64($0.rounded(.down)) }, forKey: .oldestPendingAgeSeconds)
        var inbox = container.nestedContainer(keyedBy: Key.self, forKey: .inbox)
        try inbox.encode(status.inboxPending, forKey: .pending)
        try inbox.encode(status.inboxFailed, forKey: .failed)
        try container.encode(status.circuit, forKey: .circuit)
        try container.encode(status.consecutiveFailures, forKey: .consecutiveFailures)
        try container.encode(status.lastSuccessAt, forKey: .lastSuccessAt)
        try container.encode(status.lastFailureAt, forKey: .lastFailureAt)
        try container.encode(status.lastError, forKey: .lastError)
    }
}
