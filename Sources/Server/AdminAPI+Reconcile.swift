import Hummingbird
import Ledger
import PostgresClient

extension AdminAPI {
    /// The optional body of `POST /v1/reconcile`.
    struct ReconcileBody: Decodable, Sendable {
        var channel: String?
        var dryRun: Bool?
    }

    private struct Accepted: Encodable {
        var id: Int
        var status: String
    }

    /// `POST /v1/reconcile` records a requested run for the sync worker (woken after the commit on `WakeChannel.reconcile`)
    /// and answers `202` with its id; `GET /v1/reconcile/{id}` shows it, with its report once finished.
    func registerReconcile(read: Group, write: Group) {
        write.post("/reconcile") { request, _ in
            var request = request
            let buffer = try await JSONBody.collect(&request, limit: maxBodyBytes)
            let body = buffer.readableBytes == 0 ? ReconcileBody() : try JSONBody.decode(ReconcileBody.self, from: buffer)
            let requested = try await database.run { pool in
                try ReconcileRunStore(pool: pool).request(channel: body.channel, dryRun: body.dryRun ?? false)
            }
            guard let id = requested.map(Int.init) else { throw APIError.notFound("unknown_channel", "no channel with this code") }
            var response = JSONBody.response(Accepted(id: id, status: "requested"), status: .accepted)
            response.headers[.location] = "/v1/reconcile/\(id)"
            return response
        }
        read.get("/reconcile/{id}") { _, context in
            guard let id = context.parameters.get("id", as: Int.self), id > 0 else {
                throw APIError.invalidRequest("a reconcile run id is a positive whole number")
            }
            guard let json = try await database.run({ try ReconcileRunStore(pool: $0).runJSON(id: Int64(id)) }) else {
                throw APIError.notFound("unknown_reconcile_run", "no reconcile run with this id")
            }
            return JSONBody.raw(Array(json.utf8))
        }
    }
}
