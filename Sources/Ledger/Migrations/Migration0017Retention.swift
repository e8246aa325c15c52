extension Migration {
    /// Bounded growth (issue 16). `ledger_checkpoints` + `checkpoint_levels`: every level's sums of the movements up to
    /// `through_movement`, so `verify` adds only the movements after the latest checkpoint and takes the same time
    /// whatever the history. `movements_archive`: movements older than the retention, once a checkpoint covers them,
    /// in one partition per month (UTC) that an operator may detach, dump and drop. Movements stay append-only: the
    /// delete rule lets a row go only inside the archiver's transaction (`SET LOCAL omnistock.archiving = 'on'`),
    /// which copies it to the archive in the same transaction.
    static let retention = Migration(
        version: 17, name: "retention",
        sql: #"""
            CREATE TABLE ledger_checkpoints (
                id               bigserial PRIMARY KEY,
                through_movement bigint NOT NULL CHECK (through_movement >= 0),
                taken_at         timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE checkpoint_levels (
                checkpoint bigint NOT NULL REFERENCES ledger_checkpoints (id) ON DELETE CASCADE,
                sku        text NOT NULL,
                location   text NOT NULL,
                on_hand    bigint NOT NULL,
                reserved   bigint NOT NULL,
                PRIMARY KEY (checkpoint, sku, location)
            );

            CREATE TABLE movements_archive (
                id              bigint NOT NULL,
                sku             text NOT NULL,
                location        text NOT NULL,
                delta           integer NOT NULL,
                reserved_delta  integer NOT NULL,
                reason          text NOT NULL,
                reference       text,
                idempotency_key text NOT NULL,
                created_at      timestamptz NOT NULL,
                PRIMARY KEY (id, created_at)
            ) PARTITION BY RANGE (created_at);

            DROP RULE movements_are_append_only_delete ON movements;
            CREATE RULE movements_are_append_only_delete AS ON DELETE TO movements
                WHERE current_setting('omnistock.archiving', true) IS DISTINCT FROM 'on' DO INSTEAD NOTHING;

            CREATE INDEX inbox_finished ON inbox (processed_at) WHERE status IN ('processed', 'ignored');
            CREATE INDEX conflicts_resolved ON conflicts (resolved_at) WHERE resolved_at IS NOT NULL;
            CREATE INDEX reconcile_runs_finished ON reconcile_runs (finished_at) WHERE status IN ('completed', 'failed');
            """#)
}
