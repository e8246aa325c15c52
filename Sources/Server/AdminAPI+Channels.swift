import Hummingbird

extension AdminAPI {
    /// `GET /v1/channels`: each configured channel's sync state — targets waiting to be pushed and the
    /// age of the oldest, targets refused for good, inbox events waiting or failed, and the circuit state.
    func registerChannels(read: Group) {
        read.get("/channels") { _, _ in
            let json = try await json(
                """
                SELECT json_build_object('channels', COALESCE(json_agg(json_build_object(
                    'code', c.code, 'kind', c.kind, 'models_locations', c.models_locations,
                    'outbox', json_build_object('pending', COALESCE(o.pending, 0), 'failed', COALESCE(o.failed, 0),
                                                'oldest_pending_age_seconds', o.oldest_age),
                    'inbox', json_build_object('pending', COALESCE(i.pending, 0), 'failed', COALESCE(i.failed, 0)),
                    'circuit', COALESCE(s.circuit, 'closed'), 'consecutive_failures', COALESCE(s.consecutive_failures, 0),
                    'last_success_at', s.last_success_at, 'last_failure_at', s.last_failure_at, 'last_error', s.last_error)
                    ORDER BY c.code), '[]'))
                FROM channels c
                LEFT JOIN channel_state s ON s.channel = c.code
                LEFT JOIN LATERAL (
                    SELECT count(*) FILTER (WHERE NOT permanent_error) AS pending, count(*) FILTER (WHERE permanent_error) AS failed,
                           floor(EXTRACT(EPOCH FROM now() - min(changed_at) FILTER (WHERE NOT permanent_error)))::bigint AS oldest_age
                    FROM outbox WHERE channel = c.code AND pushed_version IS DISTINCT FROM wanted_version) o ON true
                LEFT JOIN LATERAL (
                    SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'failed') AS failed
                    FROM inbox WHERE channel = c.code) i ON true
                """, [])
            return JSONBody.raw(Array((json ?? #"{"channels":[]}"#).utf8))
        }
    }
}
