extension Migration {
    /// The outbox triggers still mark targets due in the writing transaction, but no longer send
    /// `NOTIFY omnistock_outbox` from inside it: a NOTIFY holds PostgreSQL's cluster-wide notify lock until
    /// the commit is flushed, so every ledger write feeding a channel queued behind the previous one's flush
    /// (8 clients reserved at 0.40× `pgbench -N`). `StockLedger` sends the wake-up after its commit instead;
    /// writes made outside Omnistock are found by the workers' safety scan.
    static let wakeAfterCommit = Migration(
        version: 7, name: "wake_after_commit",
        sql: #"""
            CREATE OR REPLACE FUNCTION enqueue_level_push() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.on_hand = OLD.on_hand AND NEW.reserved = OLD.reserved THEN
                    RETURN NEW;
                END IF;
                INSERT INTO outbox AS o (channel, sku, location_scope, wanted_version)
                SELECT c.code, affected.sku, CASE WHEN c.models_locations THEN NEW.location ELSE '*' END, NEW.version
                FROM channel_locations cl
                JOIN channels c ON c.code = cl.channel
                CROSS JOIN (SELECT NEW.sku AS sku
                            UNION SELECT bundle_sku FROM bundle_components WHERE component_sku = NEW.sku) AS affected
                WHERE cl.location = NEW.location
                ON CONFLICT (channel, sku, location_scope) DO UPDATE
                    SET wanted_version = greatest(o.wanted_version, EXCLUDED.wanted_version),
                        changed_at = clock_timestamp(),
                        permanent_error = false,
                        next_attempt_at = CASE WHEN o.permanent_error THEN now() ELSE o.next_attempt_at END;
                RETURN NEW;
            END
            $$;

            CREATE OR REPLACE FUNCTION enqueue_reservation_push() RETURNS trigger LANGUAGE plpgsql AS $$
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
                RETURN NEW;
            END
            $$;
            """#)
}
