extension Migration {
    /// Decreases first (DESIGN.md §7): an outbox target remembers the ledger version of the last fall of its
    /// value (`decreased_version`, set when available stock at a location it feeds went down: a sale, a
    /// reservation, a count below on hand). A target whose fall is newer than its last push may show the channel
    /// more than there is, so lanes claim it before increases and bulk backlog (`outbox_falling_due`).
    ///
    /// The mark is a superset of "value below what the channel was last told": any such target fell after its
    /// push, so it is never missed; one that fell and rose again is merely pushed early, in its turn's stead.
    static let decreasesFirst = Migration(
        version: 14, name: "decreases_first",
        sql: #"""
            ALTER TABLE outbox ADD COLUMN decreased_version bigint;
            CREATE INDEX outbox_falling_due ON outbox (channel, next_attempt_at)
                WHERE pushed_version IS DISTINCT FROM wanted_version AND NOT permanent_error
                  AND decreased_version > COALESCE(pushed_version, 0);

            CREATE OR REPLACE FUNCTION enqueue_level_push() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                fell bigint;
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.on_hand = OLD.on_hand AND NEW.reserved = OLD.reserved THEN
                    RETURN NEW;
                END IF;
                IF TG_OP = 'UPDATE' AND NEW.on_hand - NEW.reserved < OLD.on_hand - OLD.reserved THEN
                    fell := NEW.version;
                END IF;
                INSERT INTO outbox AS o (channel, sku, location_scope, wanted_version, decreased_version)
                SELECT c.code, affected.sku, CASE WHEN c.models_locations THEN NEW.location ELSE '*' END, NEW.version, fell
                FROM channel_locations cl
                JOIN channels c ON c.code = cl.channel
                CROSS JOIN (SELECT NEW.sku AS sku
                            UNION SELECT bundle_sku FROM bundle_components WHERE component_sku = NEW.sku) AS affected
                WHERE cl.location = NEW.location
                ON CONFLICT (channel, sku, location_scope) DO UPDATE
                    SET wanted_version = greatest(o.wanted_version, EXCLUDED.wanted_version),
                        decreased_version = greatest(o.decreased_version, EXCLUDED.decreased_version),
                        changed_at = clock_timestamp(),
                        permanent_error = false,
                        next_attempt_at = CASE WHEN o.permanent_error THEN now() ELSE o.next_attempt_at END;
                RETURN NEW;
            END
            $$;
            """#)
}
