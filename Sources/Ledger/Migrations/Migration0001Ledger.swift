extension Migration {
    /// The stock ledger: catalogue, locations, movements, levels, reservations, idempotent operations,
    /// channels with their allocation rules, outbox, inbox and conflicts.
    static let ledger = Migration(
        version: 1, name: "ledger",
        sql: #"""
            CREATE SEQUENCE ledger_version_seq;

            CREATE TABLE skus (
                sku         text PRIMARY KEY CHECK (sku <> '' AND length(sku) <= 200),
                name        text NOT NULL DEFAULT '',
                kind        text NOT NULL DEFAULT 'item' CHECK (kind IN ('item', 'bundle')),
                created_at  timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE bundle_components (
                bundle_sku     text NOT NULL REFERENCES skus ON DELETE CASCADE,
                component_sku  text NOT NULL REFERENCES skus,
                quantity       int  NOT NULL CHECK (quantity > 0),
                PRIMARY KEY (bundle_sku, component_sku),
                CHECK (bundle_sku <> component_sku)
            );
            CREATE INDEX bundle_components_by_component ON bundle_components (component_sku);

            CREATE TABLE locations (
                code               text PRIMARY KEY CHECK (code <> '' AND code <> '*' AND length(code) <= 100),
                name               text NOT NULL DEFAULT '',
                kind               text NOT NULL CHECK (kind IN ('warehouse', 'store')),
                ships_online       boolean NOT NULL DEFAULT true,
                click_and_collect  boolean NOT NULL DEFAULT false,
                pickup_buffer      int NOT NULL DEFAULT 0 CHECK (pickup_buffer >= 0),
                timezone           text NOT NULL DEFAULT 'UTC',
                CHECK (kind = 'store' OR NOT click_and_collect)
            );

            -- Derived state, changed only in the same transaction as the movement that explains it.
            -- `oversold` is set only by an accepted conflict (a physical count below reservations);
            -- every other write keeps the invariant, which the CHECK enforces.
            CREATE TABLE levels (
                sku       text NOT NULL REFERENCES skus,
                location  text NOT NULL REFERENCES locations,
                on_hand   int NOT NULL DEFAULT 0,
                reserved  int NOT NULL DEFAULT 0 CHECK (reserved >= 0),
                version   bigint NOT NULL DEFAULT nextval('ledger_version_seq'),
                oversold  boolean NOT NULL DEFAULT false,
                PRIMARY KEY (sku, location),
                CHECK (oversold OR (on_hand >= 0 AND reserved <= on_hand))
            );
            CREATE INDEX levels_by_location ON levels (location);

            -- One row per idempotency key: the first result of the operation, returned again on repeats.
            CREATE TABLE operations (
                idempotency_key  text PRIMARY KEY CHECK (idempotency_key <> '' AND length(idempotency_key) <= 300),
                kind             text NOT NULL,
                request          jsonb NOT NULL,
                result           jsonb,
                created_at       timestamptz NOT NULL DEFAULT now()
            );

            -- Append-only. on_hand(sku, loc) = sum(delta); reserved(sku, loc) = sum(reserved_delta).
            CREATE TABLE movements (
                id               bigserial PRIMARY KEY,
                sku              text NOT NULL REFERENCES skus,
                location         text NOT NULL REFERENCES locations,
                delta            int NOT NULL,
                reserved_delta   int NOT NULL DEFAULT 0,
                reason           text NOT NULL CHECK (reason IN (
                    'receipt', 'sale', 'return', 'adjustment', 'count', 'transfer_out', 'transfer_in',
                    'reservation', 'release', 'expiry', 'reservation_commit')),
                reference        text,
                idempotency_key  text NOT NULL UNIQUE,
                created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
                CHECK (delta <> 0 OR reserved_delta <> 0)
            );
            CREATE INDEX movements_by_level ON movements (sku, location);

            CREATE RULE movements_are_append_only_update AS ON UPDATE TO movements DO INSTEAD NOTHING;
            CREATE RULE movements_are_append_only_delete AS ON DELETE TO movements DO INSTEAD NOTHING;

            CREATE TABLE channels (
                code              text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_.-]{1,64}$'),
                kind              text NOT NULL CHECK (kind IN ('shopify', 'woocommerce', 'allegro', 'omnistock-json')),
                models_locations  boolean NOT NULL,
                buffer            int NOT NULL DEFAULT 0 CHECK (buffer >= 0),
                share             int NOT NULL DEFAULT 100 CHECK (share BETWEEN 0 AND 100),
                max_quantity      int CHECK (max_quantity >= 0),
                min_visible       int NOT NULL DEFAULT 0 CHECK (min_visible >= 0),
                config            jsonb NOT NULL DEFAULT '{}',
                updated_at        timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE channel_locations (
                channel   text NOT NULL REFERENCES channels ON DELETE CASCADE,
                location  text NOT NULL REFERENCES locations,
                PRIMARY KEY (channel, location)
            );
            CREATE INDEX channel_locations_by_location ON channel_locations (location);

            CREATE TABLE listings (
                channel         text NOT NULL REFERENCES channels ON DELETE CASCADE,
                sku             text NOT NULL REFERENCES skus,
                location_scope  text NOT NULL DEFAULT '*',
                external_id     text NOT NULL,
                details         jsonb NOT NULL DEFAULT '{}',
                PRIMARY KEY (channel, sku, location_scope)
            );
            CREATE INDEX listings_by_external_id ON listings (channel, external_id);

            CREATE TABLE reservations (
                id               text PRIMARY KEY,
                sku              text NOT NULL REFERENCES skus,
                location         text NOT NULL REFERENCES locations,
                quantity         int NOT NULL CHECK (quantity > 0),
                channel          text,
                external_ref     text,
                kind             text NOT NULL CHECK (kind IN ('checkout', 'order', 'pickup')),
                status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'committed', 'released', 'expired')),
                expires_at       timestamptz,
                idempotency_key  text NOT NULL UNIQUE,
                created_at       timestamptz NOT NULL DEFAULT now(),
                updated_at       timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX reservations_due ON reservations (expires_at) WHERE status = 'active' AND expires_at IS NOT NULL;
            CREATE INDEX reservations_by_level ON reservations (sku, location) WHERE status = 'active';
            CREATE INDEX reservations_by_order ON reservations (channel, external_ref);

            -- Transactional outbox: one row per (channel, sku, scope) target; coalescing by construction.
            CREATE TABLE outbox (
                channel          text NOT NULL REFERENCES channels ON DELETE CASCADE,
                sku              text NOT NULL,
                location_scope   text NOT NULL,
                wanted_version   bigint NOT NULL,
                pushed_version   bigint,
                pushed_value     int,
                attempts         int NOT NULL DEFAULT 0,
                next_attempt_at  timestamptz NOT NULL DEFAULT now(),
                permanent_error  boolean NOT NULL DEFAULT false,
                last_error       text,
                changed_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
                pushed_at        timestamptz,
                PRIMARY KEY (channel, sku, location_scope)
            );
            CREATE INDEX outbox_due ON outbox (next_attempt_at)
                WHERE pushed_version IS DISTINCT FROM wanted_version AND NOT permanent_error;

            CREATE TABLE inbox (
                id           bigserial PRIMARY KEY,
                channel      text NOT NULL,
                event_id     text NOT NULL,
                received_at  timestamptz NOT NULL DEFAULT now(),
                headers      jsonb NOT NULL DEFAULT '{}',
                payload      text NOT NULL,
                status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'failed', 'ignored')),
                attempts     int NOT NULL DEFAULT 0,
                error        text,
                processed_at timestamptz,
                UNIQUE (channel, event_id)
            );
            CREATE INDEX inbox_pending ON inbox (id) WHERE status IN ('pending', 'failed');

            CREATE TABLE conflicts (
                id           bigserial PRIMARY KEY,
                kind         text NOT NULL CHECK (kind IN ('drift', 'missed_order', 'oversold', 'pickup_shortfall', 'count_mismatch', 'stale_event')),
                channel      text,
                sku          text,
                location     text,
                detail       jsonb NOT NULL DEFAULT '{}',
                resolution   text,
                created_at   timestamptz NOT NULL DEFAULT now(),
                resolved_at  timestamptz
            );
            CREATE INDEX conflicts_open ON conflicts (created_at) WHERE resolved_at IS NULL;

            -- Availability (DESIGN.md §5) ----------------------------------------------------------

            -- Sellable units of an item or a bundle at one location (never below 0).
            CREATE FUNCTION location_available(p_sku text, p_location text) RETURNS int
            LANGUAGE sql STABLE AS $$
                SELECT CASE
                    WHEN NOT EXISTS (SELECT 1 FROM bundle_components WHERE bundle_sku = p_sku) THEN
                        COALESCE((SELECT greatest(0, on_hand - reserved) FROM levels
                                  WHERE sku = p_sku AND location = p_location), 0)
                    ELSE
                        (SELECT COALESCE(min(COALESCE((SELECT greatest(0, l.on_hand - l.reserved) FROM levels l
                                                       WHERE l.sku = b.component_sku AND l.location = p_location), 0)
                                             / b.quantity), 0)
                         FROM bundle_components b WHERE b.bundle_sku = p_sku)
                END
            $$;

            -- Click-and-collect at a store: available minus the store's pickup buffer.
            CREATE FUNCTION pickup_available(p_sku text, p_store text) RETURNS int
            LANGUAGE sql STABLE AS $$
                SELECT greatest(0, location_available(p_sku, p_store) - pickup_buffer)
                FROM locations WHERE code = p_store
            $$;

            -- A channel's allocation rule: buffer, then share (floored), then max, then min_visible.
            CREATE FUNCTION apply_channel_rule(p_value int, p_buffer int, p_share int, p_max int, p_min_visible int)
            RETURNS int LANGUAGE sql IMMUTABLE AS $$
                SELECT CASE WHEN v < p_min_visible THEN 0 ELSE v END
                FROM (SELECT least(COALESCE(p_max, 2147483647),
                                   (greatest(0, p_value - p_buffer)::bigint * p_share / 100)::int) AS v) AS ruled
            $$;

            -- The value channel p_channel must show for p_sku in p_scope (a location code, or '*' for the pool).
            CREATE FUNCTION channel_value(p_channel text, p_sku text, p_scope text) RETURNS int
            LANGUAGE sql STABLE AS $$
                SELECT apply_channel_rule(
                    CASE WHEN p_scope = '*' THEN
                        CASE WHEN NOT EXISTS (SELECT 1 FROM bundle_components WHERE bundle_sku = p_sku) THEN
                            (SELECT COALESCE(sum(greatest(0, l.on_hand - l.reserved)), 0)::int
                             FROM levels l JOIN channel_locations cl ON cl.location = l.location AND cl.channel = c.code
                             WHERE l.sku = p_sku)
                        ELSE
                            (SELECT COALESCE(min(pooled.units / b.quantity), 0)::int
                             FROM bundle_components b
                             CROSS JOIN LATERAL (
                                 SELECT COALESCE(sum(greatest(0, l.on_hand - l.reserved)), 0) AS units
                                 FROM levels l JOIN channel_locations cl ON cl.location = l.location AND cl.channel = c.code
                                 WHERE l.sku = b.component_sku) AS pooled
                             WHERE b.bundle_sku = p_sku)
                        END
                    WHEN loc.click_and_collect THEN pickup_available(p_sku, p_scope)
                    ELSE location_available(p_sku, p_scope)
                    END,
                    c.buffer, c.share, c.max_quantity, c.min_visible)
                FROM channels c LEFT JOIN locations loc ON loc.code = p_scope
                WHERE c.code = p_channel
            $$;

            -- Outbox: a changed level marks every channel target it feeds as due, in the same transaction.
            CREATE FUNCTION enqueue_level_push() RETURNS trigger LANGUAGE plpgsql AS $$
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
                IF FOUND THEN
                    PERFORM pg_notify('omnistock_outbox', '');
                END IF;
                RETURN NEW;
            END
            $$;

            CREATE TRIGGER levels_enqueue_push AFTER INSERT OR UPDATE ON levels
                FOR EACH ROW EXECUTE FUNCTION enqueue_level_push();
            """#)
}
