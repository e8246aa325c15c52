extension Migration {
    /// Channel capabilities as data (issue 18): what each adapter declares (`ChannelCapabilities`) is stored on its
    /// `channels` row, the way `models_locations` already is, so SQL asks the row instead of the kind string.
    /// `holds_reservations`: the channel is told about pickup reservations at its stores (the reservation trigger,
    /// reconcile's hold refresh); `needs_listings`: the channel addresses SKUs through listings it must discover
    /// (`listings unmatched`, status counts). Existing rows take what their kind's adapter declares; the daemon
    /// rewrites both from the adapters whenever it applies the configuration.
    static let channelCapabilities = Migration(
        version: 15, name: "channel_capabilities",
        sql: #"""
            ALTER TABLE channels
                ADD COLUMN holds_reservations boolean NOT NULL DEFAULT false,
                ADD COLUMN needs_listings boolean NOT NULL DEFAULT true;
            UPDATE channels SET holds_reservations = (kind = 'omnistock-json'), needs_listings = (kind <> 'omnistock-json');

            CREATE OR REPLACE FUNCTION enqueue_reservation_push() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.kind <> 'pickup' OR (TG_OP = 'UPDATE' AND NEW.status = OLD.status) THEN
                    RETURN NEW;
                END IF;
                INSERT INTO reservation_outbox AS o (reservation_id, channel, action)
                SELECT NEW.id, c.code, CASE WHEN NEW.status = 'active' THEN 'hold' ELSE 'drop' END
                FROM channels c JOIN channel_locations cl ON cl.channel = c.code AND cl.location = NEW.location
                JOIN locations l ON l.code = NEW.location AND l.kind = 'store'
                WHERE c.holds_reservations
                ON CONFLICT (reservation_id) DO UPDATE
                    SET action = EXCLUDED.action, done = false, attempts = 0, next_attempt_at = now(),
                        changed_at = clock_timestamp();
                RETURN NEW;
            END
            $$;
            """#)
}
