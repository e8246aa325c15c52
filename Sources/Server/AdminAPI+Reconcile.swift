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

    static let runColumns = """
        json_build_object('id', id, 'channel', channel, 'trigger', trigger, 'dry_run', dry_run, 'status', status,
            'requested_at', requested_at, 'started_at', started_at, 'finished_at', finished_at, 'report', report, 'error', error)
        """

    /// `POST /v1/reconcile` records a requested run for the sync worker (woken after the commit on `WakeChannel.reconcile`)
    /// and answers `202` with its id; `GET /v1/reconcile/{id}` shows it, with its report once finished.
    func registerReconcile(read: Group, write: Group) {
        write.post("/reconcile") { request, _ in
            var request = request
            let buffer = try await JSONBody.collect(&request, limit: maxBodyBytes)
            let body = buffer.readableBytes == 0 ? ReconcileBody() : try JSONBody.decode(ReconcileBody.self, from: buffer)
            let id = try await database.run { pool in
                let id = try pool.transaction { connection in
                    if let channel = body.channel,
                        try connection.query("SELECT 1 FROM channels WHERE code = $1", [channel]).count == 0
                    {
                        throw APIError.notFound("unknown_channel", "no channel with this code")
                    }
                    let id = try connection.query(
                        "INSERT INTO reconcile_runs (channel, trigger, dry_run) VALUES ($1, 'api', $2) RETURNING id",
                        [body.channel, body.dryRun ?? false])[0].decode(Int.self, at: 0)
                    return id
                }
                try WakeAfterCommit.send(.reconcile, payload: String(id), pool: pool)
                return id
            }
            var response = JSONBody.response(Accepted(id: id, status: "requested"), status: .accepted)
            response.headers[.location] = "/v1/reconcile/\(id)"
            return response
        }
        read.get("/reconcile/{id}") { _, context in
            guard let id = context.parameters.get("id", as: Int.self), id > 0 else {
                throw APIError.invalidRequest("a reconcile run id is a positive whole number")
            }
            guard let json = try await json("SELECT \(Self.runColumns) FROM reconcile_runs WHERE id = $1", [id]) else {
                throw APIError.notFound("unknown_reconcile_run", "no reconcile run with this id")
            }
            return JSONBody.raw(Array(json.utf8))
        }
    }
}
