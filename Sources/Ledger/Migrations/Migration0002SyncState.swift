extension Migration {
    /// Sync bookkeeping: per-channel health and cursors, reconcile runs and their reports,
    /// and the outbox of reservations that store endpoints must hold.
    static let syncState = Migration(
        version: 2, name: "sync_state",
        sql: #"""
            CREATE TABLE channel_state (
                channel               text PRIMARY KEY REFERENCES channels ON DELETE CASCADE,
                circuit               text NOT NULL DEFAULT 'closed' CHECK (circuit IN ('closed', 'open', 'half_open')),
                consecutive_failures  int NOT NULL DEFAULT 0,
                last_success_at       timestamptz,
                last_failure_at       timestamptz,
                last_error            text,
                orders_cursor         text,
                updated_at            timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE reconcile_runs (
                id           bigserial PRIMARY KEY,
                channel      text,
                trigger      text NOT NULL CHECK (trigger IN ('schedule', 'api', 'cli')),
                dry_run      boolean NOT NULL DEFAULT false,
                status       text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'running', 'completed', 'failed')),
                requested_at timestamptz NOT NULL DEFAULT now(),
                started_at   timestamptz,
                finished_at  timestamptz,
                report       jsonb,
                error        text
            );
            CREATE INDEX reconcile_runs_pending ON reconcile_runs (id) WHERE status = 'requested';

            -- Pickup reservations that a store endpoint must hold (or drop), pushed like levels.
            CREATE TABLE reservation_outbox (
                reservation_id   text PRIMARY KEY REFERENCES reservations,
                channel          text NOT NULL REFERENCES channels ON DELETE CASCADE,
                action           text NOT NULL CHECK (action IN ('hold', 'drop')),
                done             boolean NOT NULL DEFAULT false,
                attempts         int NOT NULL DEFAULT 0,
                next_attempt_at  timestamptz NOT NULL DEFAULT now(),
                last_error       text,
                changed_at       timestamptz NOT NULL DEFAULT clock_timestamp()
            );
            CREATE INDEX reservation_outbox_due ON reservation_outbox (next_attempt_at) WHERE NOT done;

            -- A pickup reservation at a store is held by every omnistock-json channel that serves that store;
            -- when it ends, the hold is dropped. Same transaction as the reservation change.
            CREATE FUNCTION enqueue_reservation_push() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.kind <> 'pickup' OR (TG_OP = 'UPDATE' AND NEW.status = OLD.status) THEN
                    RETURN NEW;
                END IF;
                INSERT INTO reservation_outbox AS o (reservation_id, channel, action)
                SELECT NEW.id, c.code, CASE WHEN NEW.status = 'active' THEN 'hold' ELSE 'drop' END
                FROM channels c JOIN channel_locations cl ON cl.channel = c.code AND cl.location = NEW.location
                JOIN locations l ON l.code = NEW.location AND l.kind = 'store'
                WHERE c.kind = 'omnistock-json'
                ON CONFLICT (reservation_id) DO UPDATE
                    SET action = EXCLUDED.action, done = false, attempts = 0, next_attempt_at = now(),
                        changed_at = clock_timestamp();
                IF FOUND THEN
                    PERFORM pg_notify('omnistock_outbox', '');
                END IF;
                RETURN NEW;
            END
            $$;

            CREATE TRIGGER reservations_enqueue_push AFTER INSERT OR UPDATE OF status ON reservations
                FOR EACH ROW EXECUTE FUNCTION enqueue_reservation_push();
            """#)
}
