import ChannelVocabulary
import PostgresClient

/// The open conflicts adapters report about listings themselves (``ListingIssue``: `unmanaged_listing`,
/// `ended_offer`): one open conflict per (kind, channel, SKU) until the channel shows the listing selling under
/// its stock control again. They show in `omnistock status`, on the status page and in reconcile reports.
struct ListingIssueStore: Sendable {
    let pool: PostgresPool

    /// Records `issues` of `channel` (SKU, location scope, issue) that have no open conflict of their kind yet.
    func record(_ issues: [(sku: String, scope: String, issue: ListingIssue)], channel: String, source: String) throws {
        guard !issues.isEmpty else { return }
        try pool.execute(
            """
            INSERT INTO conflicts (kind, channel, sku, location, detail)
            SELECT DISTINCT ON (i.kind, i.sku) i.kind, $1, i.sku, NULLIF(i.scope, '*'),
                   jsonb_build_object('detail', i.detail, 'source', $2::text)
            FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS i(kind, sku, scope, detail)
            WHERE NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.kind = i.kind AND c.channel = $1 AND c.sku = i.sku
                                                         AND c.resolved_at IS NULL)
            """,
            [channel, source, issues.map(\.issue.kind.rawValue), issues.map(\.sku), issues.map(\.scope), issues.map(\.issue.detail)])
    }

    /// Resolves the open issues of SKUs the channel now shows under its stock control: `unmanaged_listing` once
    /// it tracks the stock, `ended_offer` once it shows units for sale. The kind list lets the partial index
    /// `conflicts_open_listing_issues` answer, so a page costs next to nothing on channels without issues.
    func resolveSettled(_ levels: [(sku: String, tracked: Bool, selling: Bool)], channel: String) throws {
        let settled = levels.filter(\.tracked)
        guard !settled.isEmpty else { return }
        try pool.execute(
            """
            UPDATE conflicts c SET resolved_at = now(), resolution = 'settled at the channel (seen by reconcile)'
            FROM unnest($2::text[], $3::bool[]) AS s(sku, selling)
            WHERE c.channel = $1 AND c.sku = s.sku AND c.resolved_at IS NULL AND c.kind IN ('unmanaged_listing', 'ended_offer')
              AND (c.kind = 'unmanaged_listing' OR s.selling)
            """, [channel, settled.map(\.sku), settled.map(\.selling)])
    }

    /// Makes the targets of untracked listings due again (the push turns the channel's stock tracking on) and
    /// records each as a resolved `unmanaged_listing` conflict.
    func pushAgain(_ levels: [(sku: String, scope: String)], channel: String, run: Int64) throws {
        guard !levels.isEmpty else { return }
        try pool.transaction { connection in
            try connection.query(
                """
                WITH untracked AS (SELECT * FROM unnest($2::text[], $3::text[]) AS u(sku, scope)),
                due AS (
                    UPDATE outbox o SET wanted_version = nextval('ledger_version_seq'), pushed_version = NULL,
                        next_attempt_at = now(), permanent_error = false, attempts = 0
                    FROM untracked u WHERE o.channel = $1 AND o.sku = u.sku AND o.location_scope = u.scope)
                INSERT INTO conflicts (kind, channel, sku, location, detail, resolution, resolved_at)
                SELECT 'unmanaged_listing', $1, sku, NULLIF(scope, '*'), jsonb_build_object('source', 'reconcile', 'run', $4::bigint),
                       'stock management turned on by the next push', now()
                FROM untracked
                """, [channel, levels.map(\.sku), levels.map(\.scope), run])
            try connection.query("SELECT pg_notify('omnistock_outbox', '')")
        }
    }
}
