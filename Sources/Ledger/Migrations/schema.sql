-- The schema that migrations 1…24 build (pg_dump --schema-only, normalised).
-- Generated: do not edit. Regenerate after changing a migration with
--   OMNISTOCK_WRITE_SCHEMA=1 bash .ci/test --filter SchemaSnapshotTests
-- SchemaSnapshotTests fails while this file and the migrations differ.
CREATE FUNCTION public.apply_channel_rule(p_value integer, p_buffer integer, p_share integer, p_max integer, p_min_visible integer) RETURNS integer
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE
        WHEN least(COALESCE(p_max, 2147483647), (greatest(0, p_value - p_buffer)::bigint * p_share / 100)::int) < p_min_visible
        THEN 0
        ELSE least(COALESCE(p_max, 2147483647), (greatest(0, p_value - p_buffer)::bigint * p_share / 100)::int)
    END
$$;
CREATE FUNCTION public.channel_value(p_channel text, p_sku text, p_scope text) RETURNS integer
    LANGUAGE sql STABLE
    AS $$
    SELECT value FROM channel_values(p_channel, ARRAY[p_sku], ARRAY[p_scope])
$$;
CREATE FUNCTION public.channel_value_parts(p_channel text, p_skus text[], p_scopes text[]) RETURNS TABLE(sku text, scope text, units integer, pickup_units integer, demand integer, own_demand integer, lag_seconds double precision, expected double precision, held_back integer, last_units_cut boolean, value integer)
    LANGUAGE sql STABLE
    AS $$
    WITH channel AS (
        -- The lag: a change's way to the channel and the slowest order feed of a channel sharing its stock.
        SELECT c.*, COALESCE(s.propagation_seconds, 0) + c.visibility_delay_seconds + COALESCE(s.order_feed_seconds, 0) AS own_lag,
               COALESCE(s.propagation_seconds, 0) + c.visibility_delay_seconds + COALESCE((
                   SELECT max(other.order_feed_seconds)
                   FROM channel_locations mine
                   JOIN channel_locations theirs ON theirs.location = mine.location AND theirs.channel <> mine.channel
                   JOIN channel_state other ON other.channel = theirs.channel
                   WHERE mine.channel = c.code), 0) AS lag
        FROM channels c LEFT JOIN channel_state s ON s.channel = c.code WHERE c.code = p_channel),
    targets AS (
        SELECT DISTINCT t.sku, t.scope FROM unnest(p_skus, p_scopes) AS t(sku, scope)),
    parts AS (
        SELECT t.sku, t.scope, COALESCE(b.component_sku, t.sku) AS part, COALESCE(b.quantity, 1) AS per_unit
        FROM targets t LEFT JOIN bundle_components b ON b.bundle_sku = t.sku),
    part_units AS (
        SELECT p.sku, p.scope, p.part, p.per_unit,
               COALESCE(sum(here.units), 0) AS units,
               COALESCE(sum(recent.elsewhere), 0) AS demand, COALESCE(sum(recent.own), 0) AS own_demand
        FROM parts p
        CROSS JOIN channel c
        LEFT JOIN LATERAL (
            SELECT p.scope AS location WHERE p.scope <> '*'
            UNION ALL
            SELECT cl.location FROM channel_locations cl WHERE p.scope = '*' AND cl.channel = p_channel
        ) AS source ON true
        CROSS JOIN LATERAL (
            -- One level, looked up by its key: a join let the planner hash every level of the ledger.
            -- (max of the one row keeps its type, integer, and stops the planner from pulling it up.)
            SELECT max(greatest(0, l.on_hand - l.reserved)) AS units FROM levels l
            WHERE l.sku = p.part AND l.location = source.location
        ) AS here
        LEFT JOIN LATERAL (
            -- Units taken here lately (lag-aware channels only): by other channels, walk-ins and API
            -- reservations, and by the channel itself.
            SELECT sum(CASE WHEN m.reason = 'sale' THEN -m.delta ELSE m.reserved_delta END)
                       FILTER (WHERE m.reason = 'sale' OR r.channel IS DISTINCT FROM p_channel) AS elsewhere,
                   sum(m.reserved_delta) FILTER (WHERE m.reason = 'reservation' AND r.channel = p_channel) AS own
            FROM movements m LEFT JOIN reservations r ON m.reason = 'reservation' AND r.id = m.reference
            WHERE c.buffer_mode = 'lag_aware' AND m.sku = p.part AND m.location = source.location
              AND m.created_at > now() - make_interval(secs => c.lag_window_seconds)
              AND ((m.reason = 'sale' AND m.delta < 0) OR m.reason = 'reservation')
        ) AS recent ON true
        GROUP BY p.sku, p.scope, p.part, p.per_unit),
    units AS (
        SELECT u.sku, u.scope, min(u.units / u.per_unit)::int AS units,
               least(max(ceil(u.demand::numeric / u.per_unit)), 2147483647)::int AS demand,
               least(max(ceil(u.own_demand::numeric / u.per_unit)), 2147483647)::int AS own_demand
        FROM part_units u GROUP BY u.sku, u.scope),
    stepped AS (
        SELECT u.sku, u.scope, u.units, u.demand, u.own_demand, c.lag,
               -- Units expected to go before the channel shows a change: sales elsewhere during the whole
               -- lag, and its own sales that an absolute write overwrites: those not in the ledger yet when
               -- the value was computed (its own order feed) and those made before the write shows.
               (u.demand * c.lag + u.own_demand * c.own_lag) / c.lag_window_seconds AS expected,
               CASE WHEN loc.click_and_collect THEN greatest(0, u.units - loc.pickup_buffer) ELSE u.units END AS pickup_units,
               c.buffer, c.share, c.max_quantity, c.min_visible, c.buffer_mode, c.lag_window_seconds, c.lag_cap,
               c.low_stock, c.last_units,
               EXISTS (
                   SELECT 1 FROM channel_locations mine
                   JOIN channel_locations theirs ON theirs.location = mine.location AND theirs.channel <> mine.channel
                   JOIN channels other ON other.code = theirs.channel
                   WHERE mine.channel = p_channel AND (u.scope = '*' OR mine.location = u.scope)
                     AND other.priority > c.priority) AS outranked
        FROM units u
        CROSS JOIN channel c
        LEFT JOIN locations loc ON loc.code = u.scope AND u.scope <> '*'),
    held AS (
        -- The 90th percentile of a Poisson count with that mean: nine times in ten, no more sell meanwhile.
        SELECT s.*,
               CASE WHEN s.buffer_mode = 'lag_aware' AND s.pickup_units <= s.low_stock
                    THEN least(s.lag_cap, COALESCE(quantile.units, s.lag_cap)) ELSE 0 END AS held_back
        FROM stepped s
        LEFT JOIN LATERAL (
            SELECT min(q.units) AS units FROM (
                SELECT k AS units,
                       sum(exp(-s.expected) * power(s.expected, k) / factorial(k)::float8) OVER (ORDER BY k) AS probability
                FROM generate_series(0, least(s.lag_cap, 100)) AS k
                WHERE s.buffer_mode = 'lag_aware' AND s.pickup_units <= s.low_stock) AS q
            WHERE q.probability >= 0.9
        ) AS quantile ON true)
    SELECT h.sku, h.scope, h.units, h.pickup_units, h.demand, h.own_demand, h.lag, h.expected, h.held_back,
           h.last_units IS NOT NULL AND h.units <= h.last_units AND h.outranked,
           CASE WHEN h.last_units IS NOT NULL AND h.units <= h.last_units AND h.outranked THEN 0
                ELSE apply_channel_rule(greatest(0, h.pickup_units - h.held_back), h.buffer, h.share, h.max_quantity, h.min_visible)
           END
    FROM held h
$$;
CREATE FUNCTION public.channel_values(p_channel text, p_skus text[], p_scopes text[]) RETURNS TABLE(sku text, scope text, value integer)
    LANGUAGE sql STABLE
    AS $$
    SELECT p.sku, p.scope, p.value FROM channel_value_parts(p_channel, p_skus, p_scopes) AS p
$$;
CREATE FUNCTION public.enqueue_levels_push() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
BEGIN
    IF EXISTS (SELECT FROM new_rows OFFSET 100) THEN
        IF TG_OP = 'INSERT' THEN
            EXECUTE $marks$ INSERT INTO outbox AS o (channel, sku, location_scope, wanted_version, decreased_version)
        SELECT c.code, affected.sku, CASE WHEN c.models_locations THEN level.location ELSE '*' END,
            max(level.version), max(level.fell)
        FROM (SELECT sku, location, version, NULL::bigint AS fell FROM new_rows) AS level
        JOIN channel_locations AS cl ON cl.location = level.location
        JOIN channels AS c ON c.code = cl.channel
        -- A SKU is never a component of itself and a bundle lists a component once, so no target twice here.
        CROSS JOIN LATERAL (
            SELECT level.sku UNION ALL SELECT bundle_sku FROM bundle_components WHERE component_sku = level.sku
        ) AS affected (sku)
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (channel, sku, location_scope) DO UPDATE
            SET wanted_version = greatest(o.wanted_version, EXCLUDED.wanted_version),
                decreased_version = greatest(o.decreased_version, EXCLUDED.decreased_version),
                changed_at = clock_timestamp(),
                permanent_error = false,
                next_attempt_at = CASE WHEN o.permanent_error THEN now() ELSE o.next_attempt_at END; $marks$;
        ELSE
            EXECUTE $marks$ INSERT INTO outbox AS o (channel, sku, location_scope, wanted_version, decreased_version)
        SELECT c.code, affected.sku, CASE WHEN c.models_locations THEN level.location ELSE '*' END,
            max(level.version), max(level.fell)
        FROM (SELECT new_level.sku, new_level.location, new_level.version,
            CASE WHEN new_level.on_hand - new_level.reserved < old_level.on_hand - old_level.reserved
                THEN new_level.version END AS fell
        FROM new_rows AS new_level
        JOIN old_rows AS old_level ON old_level.sku = new_level.sku AND old_level.location = new_level.location
        WHERE new_level.on_hand <> old_level.on_hand OR new_level.reserved <> old_level.reserved) AS level
        JOIN channel_locations AS cl ON cl.location = level.location
        JOIN channels AS c ON c.code = cl.channel
        -- A SKU is never a component of itself and a bundle lists a component once, so no target twice here.
        CROSS JOIN LATERAL (
            SELECT level.sku UNION ALL SELECT bundle_sku FROM bundle_components WHERE component_sku = level.sku
        ) AS affected (sku)
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (channel, sku, location_scope) DO UPDATE
            SET wanted_version = greatest(o.wanted_version, EXCLUDED.wanted_version),
                decreased_version = greatest(o.decreased_version, EXCLUDED.decreased_version),
                changed_at = clock_timestamp(),
                permanent_error = false,
                next_attempt_at = CASE WHEN o.permanent_error THEN now() ELSE o.next_attempt_at END; $marks$;
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO outbox AS o (channel, sku, location_scope, wanted_version, decreased_version)
        SELECT c.code, affected.sku, CASE WHEN c.models_locations THEN level.location ELSE '*' END,
            max(level.version), max(level.fell)
        FROM (SELECT sku, location, version, NULL::bigint AS fell FROM new_rows) AS level
        JOIN channel_locations AS cl ON cl.location = level.location
        JOIN channels AS c ON c.code = cl.channel
        -- A SKU is never a component of itself and a bundle lists a component once, so no target twice here.
        CROSS JOIN LATERAL (
            SELECT level.sku UNION ALL SELECT bundle_sku FROM bundle_components WHERE component_sku = level.sku
        ) AS affected (sku)
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (channel, sku, location_scope) DO UPDATE
            SET wanted_version = greatest(o.wanted_version, EXCLUDED.wanted_version),
                decreased_version = greatest(o.decreased_version, EXCLUDED.decreased_version),
                changed_at = clock_timestamp(),
                permanent_error = false,
                next_attempt_at = CASE WHEN o.permanent_error THEN now() ELSE o.next_attempt_at END;
    ELSE
        INSERT INTO outbox AS o (channel, sku, location_scope, wanted_version, decreased_version)
        SELECT c.code, affected.sku, CASE WHEN c.models_locations THEN level.location ELSE '*' END,
            max(level.version), max(level.fell)
        FROM (SELECT new_level.sku, new_level.location, new_level.version,
            CASE WHEN new_level.on_hand - new_level.reserved < old_level.on_hand - old_level.reserved
                THEN new_level.version END AS fell
        FROM new_rows AS new_level
        JOIN old_rows AS old_level ON old_level.sku = new_level.sku AND old_level.location = new_level.location
        WHERE new_level.on_hand <> old_level.on_hand OR new_level.reserved <> old_level.reserved) AS level
        JOIN channel_locations AS cl ON cl.location = level.location
        JOIN channels AS c ON c.code = cl.channel
        -- A SKU is never a component of itself and a bundle lists a component once, so no target twice here.
        CROSS JOIN LATERAL (
            SELECT level.sku UNION ALL SELECT bundle_sku FROM bundle_components WHERE component_sku = level.sku
        ) AS affected (sku)
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (channel, sku, location_scope) DO UPDATE
            SET wanted_version = greatest(o.wanted_version, EXCLUDED.wanted_version),
                decreased_version = greatest(o.decreased_version, EXCLUDED.decreased_version),
                changed_at = clock_timestamp(),
                permanent_error = false,
                next_attempt_at = CASE WHEN o.permanent_error THEN now() ELSE o.next_attempt_at END;
    END IF;
    RETURN NULL;
END
$_$;
CREATE FUNCTION public.enqueue_reservation_push() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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
CREATE FUNCTION public.location_available(p_sku text, p_location text) RETURNS integer
    LANGUAGE sql STABLE
    AS $$
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
CREATE FUNCTION public.pickup_available(p_sku text, p_store text) RETURNS integer
    LANGUAGE sql STABLE
    AS $$
    SELECT greatest(0, location_available(p_sku, p_store) - pickup_buffer)
    FROM locations WHERE code = p_store
$$;
CREATE FUNCTION public.unseen_sales_state(p_channel text, p_skus text[], p_scopes text[]) RETURNS TABLE(sku text, scope text, last_written integer, carried integer, counted_from timestamp with time zone, counted bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT t.sku, t.scope, o.written_value,
           CASE WHEN o.orders_counted_from IS NOT NULL THEN
               greatest(-2147483648, least(2147483647,
                   o.unseen_sales::bigint - (COALESCE(applied.since_last, 0) + COALESCE(backordered.since_last, 0) - o.orders_counted)))
           END::int,
           t.counted_from, COALESCE(applied.since_now, 0) + COALESCE(backordered.since_now, 0)
    FROM (SELECT DISTINCT u.sku, u.scope, statement_timestamp() - interval '1 minute' AS counted_from
          FROM unnest(p_skus, p_scopes) AS u(sku, scope)) AS t
    JOIN channels c ON c.code = p_channel
    JOIN skus k ON k.sku = t.sku
    LEFT JOIN outbox o ON o.channel = p_channel AND o.sku = t.sku AND o.location_scope = t.scope
    LEFT JOIN LATERAL (
        SELECT sum(m.reserved_delta) FILTER (WHERE m.created_at > o.orders_counted_from) AS since_last,
               sum(m.reserved_delta) FILTER (WHERE m.created_at > t.counted_from) AS since_now
        FROM movements m JOIN reservations r ON r.id = m.reference AND r.channel = p_channel
        WHERE m.reason = 'reservation' AND m.sku = t.sku
          AND m.created_at > least(COALESCE(o.orders_counted_from, t.counted_from), t.counted_from)
          AND m.location IN (SELECT t.scope WHERE t.scope <> '*'
                             UNION ALL
                             SELECT cl.location FROM channel_locations cl WHERE t.scope = '*' AND cl.channel = p_channel)
    ) AS applied ON true
    LEFT JOIN LATERAL (
        SELECT sum((x.detail->>'backorder')::bigint) FILTER (WHERE x.created_at > o.orders_counted_from) AS since_last,
               sum((x.detail->>'backorder')::bigint) FILTER (WHERE x.created_at > t.counted_from) AS since_now
        FROM conflicts x
        WHERE x.kind = 'oversold' AND x.channel = p_channel AND x.sku = t.sku
          AND x.created_at > least(COALESCE(o.orders_counted_from, t.counted_from), t.counted_from)
    ) AS backordered ON true
    WHERE c.buffer_mode = 'lag_aware' AND k.kind = 'item'
$$;
CREATE TABLE public.bundle_components (
    bundle_sku text NOT NULL,
    component_sku text NOT NULL,
    quantity integer NOT NULL,
    CONSTRAINT bundle_components_check CHECK ((bundle_sku <> component_sku)),
    CONSTRAINT bundle_components_quantity_check CHECK ((quantity > 0))
);
CREATE TABLE public.channel_credentials (
    channel text NOT NULL,
    configured_digest text NOT NULL,
    refresh_token text NOT NULL,
    access_token text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE public.channel_items (
    channel text NOT NULL,
    external_id text NOT NULL,
    sku text,
    barcode text,
    seen_at timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE public.channel_locations (
    channel text NOT NULL,
    location text NOT NULL,
    "position" integer DEFAULT 0 NOT NULL
);
CREATE TABLE public.channel_orders (
    channel text NOT NULL,
    order_ref text NOT NULL,
    status text NOT NULL,
    applied_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT channel_orders_status_check CHECK ((status = ANY (ARRAY['open'::text, 'cancelled'::text, 'fulfilled'::text])))
);
CREATE TABLE public.channel_state (
    channel text NOT NULL,
    circuit text DEFAULT 'closed'::text NOT NULL,
    consecutive_failures integer DEFAULT 0 NOT NULL,
    last_success_at timestamp with time zone,
    last_failure_at timestamp with time zone,
    last_error text,
    orders_cursor text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    propagation_seconds double precision,
    order_feed_seconds double precision,
    CONSTRAINT channel_state_circuit_check CHECK ((circuit = ANY (ARRAY['closed'::text, 'open'::text, 'half_open'::text]))),
    CONSTRAINT channel_state_order_feed_seconds_check CHECK (((order_feed_seconds >= (0)::double precision) AND (order_feed_seconds < 'Infinity'::double precision))),
    CONSTRAINT channel_state_propagation_seconds_check CHECK (((propagation_seconds >= (0)::double precision) AND (propagation_seconds < 'Infinity'::double precision)))
);
CREATE TABLE public.channels (
    code text NOT NULL,
    kind text NOT NULL,
    models_locations boolean NOT NULL,
    buffer integer DEFAULT 0 NOT NULL,
    share integer DEFAULT 100 NOT NULL,
    max_quantity integer,
    min_visible integer DEFAULT 0 NOT NULL,
    config jsonb DEFAULT '{}'::jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    sourcing text DEFAULT 'priority'::text NOT NULL,
    holds_reservations boolean DEFAULT false NOT NULL,
    needs_listings boolean DEFAULT true NOT NULL,
    buffer_mode text DEFAULT 'static'::text NOT NULL,
    lag_window_seconds double precision DEFAULT 900 NOT NULL,
    lag_cap integer DEFAULT 5 NOT NULL,
    low_stock integer DEFAULT 10 NOT NULL,
    visibility_delay_seconds double precision DEFAULT 0 NOT NULL,
    last_units integer,
    priority integer DEFAULT 0 NOT NULL,
    CONSTRAINT channels_buffer_check CHECK ((buffer >= 0)),
    CONSTRAINT channels_buffer_mode_check CHECK ((buffer_mode = ANY (ARRAY['static'::text, 'lag_aware'::text]))),
    CONSTRAINT channels_code_check CHECK ((code ~ '^[A-Za-z0-9_.-]{1,64}$'::text)),
    CONSTRAINT channels_kind_check CHECK ((kind ~ '^[a-z][a-z0-9-]{0,31}$'::text)),
    CONSTRAINT channels_lag_cap_check CHECK ((lag_cap >= 0)),
    CONSTRAINT channels_lag_window_seconds_check CHECK (((lag_window_seconds >= (1)::double precision) AND (lag_window_seconds <= (604800)::double precision))),
    CONSTRAINT channels_last_units_check CHECK ((last_units >= 0)),
    CONSTRAINT channels_low_stock_check CHECK ((low_stock >= 0)),
    CONSTRAINT channels_max_quantity_check CHECK ((max_quantity >= 0)),
    CONSTRAINT channels_min_visible_check CHECK ((min_visible >= 0)),
    CONSTRAINT channels_share_check CHECK (((share >= 0) AND (share <= 100))),
    CONSTRAINT channels_sourcing_check CHECK ((sourcing = ANY (ARRAY['priority'::text, 'nearest'::text, 'most_available'::text]))),
    CONSTRAINT channels_visibility_delay_seconds_check CHECK (((visibility_delay_seconds >= (0)::double precision) AND (visibility_delay_seconds <= (86400)::double precision)))
);
CREATE TABLE public.checkpoint_levels (
    checkpoint bigint NOT NULL,
    sku text NOT NULL,
    location text NOT NULL,
    on_hand bigint NOT NULL,
    reserved bigint NOT NULL
);
CREATE TABLE public.conflicts (
    id bigint NOT NULL,
    kind text NOT NULL,
    channel text,
    sku text,
    location text,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    resolution text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    resolved_at timestamp with time zone,
    CONSTRAINT conflicts_kind_check CHECK ((kind = ANY (ARRAY['drift'::text, 'missed_order'::text, 'oversold'::text, 'pickup_shortfall'::text, 'count_mismatch'::text, 'stale_event'::text, 'unmanaged_listing'::text, 'ended_offer'::text, 'duplicate_listing'::text])))
);
CREATE SEQUENCE public.conflicts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.conflicts_id_seq OWNED BY public.conflicts.id;
CREATE TABLE public.inbox (
    id bigint NOT NULL,
    channel text NOT NULL,
    event_id text NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    headers jsonb DEFAULT '{}'::jsonb NOT NULL,
    payload text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    error text,
    processed_at timestamp with time zone,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inbox_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'processed'::text, 'failed'::text, 'ignored'::text, 'dead'::text])))
);
CREATE SEQUENCE public.inbox_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.inbox_id_seq OWNED BY public.inbox.id;
CREATE TABLE public.lag_samples (
    sampled_at timestamp with time zone DEFAULT now() NOT NULL,
    channel text NOT NULL,
    pending integer NOT NULL,
    lag_seconds double precision NOT NULL
);
CREATE TABLE public.ledger_checkpoints (
    id bigint NOT NULL,
    through_movement bigint NOT NULL,
    taken_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ledger_checkpoints_through_movement_check CHECK ((through_movement >= 0))
);
CREATE SEQUENCE public.ledger_checkpoints_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.ledger_checkpoints_id_seq OWNED BY public.ledger_checkpoints.id;
CREATE SEQUENCE public.ledger_version_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
CREATE TABLE public.levels (
    sku text NOT NULL,
    location text NOT NULL,
    on_hand integer DEFAULT 0 NOT NULL,
    reserved integer DEFAULT 0 NOT NULL,
    version bigint DEFAULT nextval('public.ledger_version_seq'::regclass) NOT NULL,
    oversold boolean DEFAULT false NOT NULL,
    CONSTRAINT levels_check CHECK ((oversold OR ((on_hand >= 0) AND (reserved <= on_hand)))),
    CONSTRAINT levels_reserved_check CHECK ((reserved >= 0))
);
CREATE TABLE public.listings (
    channel text NOT NULL,
    sku text NOT NULL,
    location_scope text DEFAULT '*'::text NOT NULL,
    external_id text NOT NULL,
    details jsonb DEFAULT '{}'::jsonb NOT NULL
);
CREATE TABLE public.location_distances (
    origin text NOT NULL,
    location text NOT NULL,
    distance integer NOT NULL,
    CONSTRAINT location_distances_distance_check CHECK ((distance >= 0))
);
CREATE TABLE public.locations (
    code text NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    kind text NOT NULL,
    ships_online boolean DEFAULT true NOT NULL,
    click_and_collect boolean DEFAULT false NOT NULL,
    pickup_buffer integer DEFAULT 0 NOT NULL,
    timezone text DEFAULT 'UTC'::text NOT NULL,
    CONSTRAINT locations_check CHECK (((kind = 'store'::text) OR (NOT click_and_collect))),
    CONSTRAINT locations_code_check CHECK (((code <> ''::text) AND (code <> '*'::text) AND (length(code) <= 100))),
    CONSTRAINT locations_kind_check CHECK ((kind = ANY (ARRAY['warehouse'::text, 'store'::text]))),
    CONSTRAINT locations_pickup_buffer_check CHECK ((pickup_buffer >= 0))
);
CREATE TABLE public.movements (
    id bigint NOT NULL,
    sku text NOT NULL,
    location text NOT NULL,
    delta integer NOT NULL,
    reserved_delta integer DEFAULT 0 NOT NULL,
    reason text NOT NULL,
    reference text,
    idempotency_key text NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT movements_check CHECK (((delta <> 0) OR (reserved_delta <> 0))),
    CONSTRAINT movements_reason_check CHECK ((reason = ANY (ARRAY['receipt'::text, 'sale'::text, 'return'::text, 'adjustment'::text, 'count'::text, 'transfer_out'::text, 'transfer_in'::text, 'reservation'::text, 'release'::text, 'expiry'::text, 'reservation_commit'::text])))
);
CREATE TABLE public.movements_archive (
    id bigint NOT NULL,
    sku text NOT NULL,
    location text NOT NULL,
    delta integer NOT NULL,
    reserved_delta integer NOT NULL,
    reason text NOT NULL,
    reference text,
    idempotency_key text NOT NULL,
    created_at timestamp with time zone NOT NULL
)
PARTITION BY RANGE (created_at);
CREATE SEQUENCE public.movements_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.movements_id_seq OWNED BY public.movements.id;
CREATE TABLE public.operations (
    idempotency_key text NOT NULL,
    kind text NOT NULL,
    request jsonb NOT NULL,
    result jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT operations_idempotency_key_check CHECK (((idempotency_key <> ''::text) AND (length(idempotency_key) <= 300)))
);
CREATE TABLE public.outbox (
    channel text NOT NULL,
    sku text NOT NULL,
    location_scope text NOT NULL,
    wanted_version bigint NOT NULL,
    pushed_version bigint,
    pushed_value integer,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    permanent_error boolean DEFAULT false NOT NULL,
    last_error text,
    changed_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    pushed_at timestamp with time zone,
    claimed_by integer,
    decreased_version bigint,
    held_back integer DEFAULT 0 NOT NULL,
    written_value integer,
    unseen_sales integer DEFAULT 0 NOT NULL,
    orders_counted_from timestamp with time zone,
    orders_counted bigint,
    CONSTRAINT outbox_held_back_check CHECK ((held_back >= 0)),
    CONSTRAINT outbox_unseen_sales_check CHECK ((unseen_sales >= 0))
);
CREATE TABLE public.reconcile_runs (
    id bigint NOT NULL,
    channel text,
    trigger text NOT NULL,
    dry_run boolean DEFAULT false NOT NULL,
    status text DEFAULT 'requested'::text NOT NULL,
    requested_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    report jsonb,
    error text,
    CONSTRAINT reconcile_runs_status_check CHECK ((status = ANY (ARRAY['requested'::text, 'running'::text, 'completed'::text, 'failed'::text]))),
    CONSTRAINT reconcile_runs_trigger_check CHECK ((trigger = ANY (ARRAY['schedule'::text, 'api'::text, 'cli'::text])))
);
CREATE SEQUENCE public.reconcile_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.reconcile_runs_id_seq OWNED BY public.reconcile_runs.id;
CREATE TABLE public.reservation_outbox (
    reservation_id text NOT NULL,
    channel text NOT NULL,
    action text NOT NULL,
    done boolean DEFAULT false NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    last_error text,
    changed_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    claimed_by integer,
    CONSTRAINT reservation_outbox_action_check CHECK ((action = ANY (ARRAY['hold'::text, 'drop'::text])))
);
CREATE TABLE public.reservations (
    id text NOT NULL,
    sku text NOT NULL,
    location text NOT NULL,
    quantity integer NOT NULL,
    channel text,
    external_ref text,
    kind text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    expires_at timestamp with time zone,
    idempotency_key text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    group_id text,
    bundle_sku text,
    bundle_quantity integer,
    CONSTRAINT reservations_bundle_quantity_check CHECK ((bundle_quantity > 0)),
    CONSTRAINT reservations_kind_check CHECK ((kind = ANY (ARRAY['checkout'::text, 'order'::text, 'pickup'::text]))),
    CONSTRAINT reservations_quantity_check CHECK ((quantity > 0)),
    CONSTRAINT reservations_status_check CHECK ((status = ANY (ARRAY['active'::text, 'committed'::text, 'released'::text, 'expired'::text])))
);
CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE public.skus (
    sku text NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    kind text DEFAULT 'item'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    barcode text,
    CONSTRAINT skus_barcode_check CHECK ((barcode <> ''::text)),
    CONSTRAINT skus_kind_check CHECK ((kind = ANY (ARRAY['item'::text, 'bundle'::text]))),
    CONSTRAINT skus_sku_check CHECK (((sku <> ''::text) AND (length(sku) <= 200)))
);
ALTER TABLE ONLY public.conflicts ALTER COLUMN id SET DEFAULT nextval('public.conflicts_id_seq'::regclass);
ALTER TABLE ONLY public.inbox ALTER COLUMN id SET DEFAULT nextval('public.inbox_id_seq'::regclass);
ALTER TABLE ONLY public.ledger_checkpoints ALTER COLUMN id SET DEFAULT nextval('public.ledger_checkpoints_id_seq'::regclass);
ALTER TABLE ONLY public.movements ALTER COLUMN id SET DEFAULT nextval('public.movements_id_seq'::regclass);
ALTER TABLE ONLY public.reconcile_runs ALTER COLUMN id SET DEFAULT nextval('public.reconcile_runs_id_seq'::regclass);
ALTER TABLE ONLY public.bundle_components
    ADD CONSTRAINT bundle_components_pkey PRIMARY KEY (bundle_sku, component_sku);
ALTER TABLE ONLY public.channel_credentials
    ADD CONSTRAINT channel_credentials_pkey PRIMARY KEY (channel);
ALTER TABLE ONLY public.channel_items
    ADD CONSTRAINT channel_items_pkey PRIMARY KEY (channel, external_id);
ALTER TABLE ONLY public.channel_locations
    ADD CONSTRAINT channel_locations_pkey PRIMARY KEY (channel, location);
ALTER TABLE ONLY public.channel_orders
    ADD CONSTRAINT channel_orders_pkey PRIMARY KEY (channel, order_ref);
ALTER TABLE ONLY public.channel_state
    ADD CONSTRAINT channel_state_pkey PRIMARY KEY (channel);
ALTER TABLE ONLY public.channels
    ADD CONSTRAINT channels_pkey PRIMARY KEY (code);
ALTER TABLE ONLY public.checkpoint_levels
    ADD CONSTRAINT checkpoint_levels_pkey PRIMARY KEY (checkpoint, sku, location);
ALTER TABLE ONLY public.conflicts
    ADD CONSTRAINT conflicts_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.inbox
    ADD CONSTRAINT inbox_channel_event_id_key UNIQUE (channel, event_id);
ALTER TABLE ONLY public.inbox
    ADD CONSTRAINT inbox_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.lag_samples
    ADD CONSTRAINT lag_samples_pkey PRIMARY KEY (channel, sampled_at);
ALTER TABLE ONLY public.ledger_checkpoints
    ADD CONSTRAINT ledger_checkpoints_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.levels
    ADD CONSTRAINT levels_pkey PRIMARY KEY (sku, location);
ALTER TABLE ONLY public.listings
    ADD CONSTRAINT listings_pkey PRIMARY KEY (sku, location_scope, channel);
ALTER TABLE ONLY public.location_distances
    ADD CONSTRAINT location_distances_pkey PRIMARY KEY (origin, location);
ALTER TABLE ONLY public.locations
    ADD CONSTRAINT locations_pkey PRIMARY KEY (code);
ALTER TABLE ONLY public.movements_archive
    ADD CONSTRAINT movements_archive_pkey PRIMARY KEY (id, created_at);
ALTER TABLE ONLY public.movements
    ADD CONSTRAINT movements_idempotency_key_key UNIQUE (idempotency_key);
ALTER TABLE ONLY public.movements
    ADD CONSTRAINT movements_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.operations
    ADD CONSTRAINT operations_pkey PRIMARY KEY (idempotency_key);
ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (channel, sku, location_scope);
ALTER TABLE ONLY public.reconcile_runs
    ADD CONSTRAINT reconcile_runs_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.reservation_outbox
    ADD CONSTRAINT reservation_outbox_pkey PRIMARY KEY (reservation_id);
ALTER TABLE ONLY public.reservations
    ADD CONSTRAINT reservations_idempotency_key_key UNIQUE (idempotency_key);
ALTER TABLE ONLY public.reservations
    ADD CONSTRAINT reservations_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);
ALTER TABLE ONLY public.skus
    ADD CONSTRAINT skus_pkey PRIMARY KEY (sku);
CREATE INDEX bundle_components_by_component ON public.bundle_components USING btree (component_sku);
CREATE INDEX channel_locations_by_location ON public.channel_locations USING btree (location);
CREATE INDEX conflicts_open ON public.conflicts USING btree (created_at) WHERE (resolved_at IS NULL);
CREATE INDEX conflicts_open_duplicate_listings ON public.conflicts USING btree (channel, sku) WHERE ((resolved_at IS NULL) AND (kind = 'duplicate_listing'::text));
CREATE INDEX conflicts_open_listing_issues ON public.conflicts USING btree (channel, sku) WHERE ((resolved_at IS NULL) AND (kind = ANY (ARRAY['unmanaged_listing'::text, 'ended_offer'::text])));
CREATE INDEX conflicts_oversold ON public.conflicts USING btree (channel, sku, created_at) WHERE (kind = 'oversold'::text);
CREATE INDEX conflicts_resolved ON public.conflicts USING btree (resolved_at) WHERE (resolved_at IS NOT NULL);
CREATE INDEX inbox_finished ON public.inbox USING btree (processed_at) WHERE (status = ANY (ARRAY['processed'::text, 'ignored'::text]));
CREATE INDEX inbox_pending ON public.inbox USING btree (id) WHERE (status = ANY (ARRAY['pending'::text, 'failed'::text]));
CREATE INDEX levels_by_location ON public.levels USING btree (location, sku);
CREATE INDEX listings_by_external_id ON public.listings USING btree (external_id, channel);
CREATE INDEX movements_by_level ON public.movements USING btree (sku, location, created_at);
CREATE INDEX outbox_claimed ON public.outbox USING btree (claimed_by) WHERE (claimed_by IS NOT NULL);
CREATE INDEX outbox_due ON public.outbox USING btree (channel, next_attempt_at) WHERE ((pushed_version IS DISTINCT FROM wanted_version) AND (NOT permanent_error));
CREATE INDEX outbox_falling_due ON public.outbox USING btree (channel, next_attempt_at) WHERE ((pushed_version IS DISTINCT FROM wanted_version) AND (NOT permanent_error) AND (decreased_version > COALESCE(pushed_version, (0)::bigint)));
CREATE INDEX outbox_held_back ON public.outbox USING btree (channel) WHERE (held_back > 0);
CREATE INDEX reconcile_runs_finished ON public.reconcile_runs USING btree (finished_at) WHERE (status = ANY (ARRAY['completed'::text, 'failed'::text]));
CREATE INDEX reconcile_runs_pending ON public.reconcile_runs USING btree (id) WHERE (status = 'requested'::text);
CREATE INDEX reservation_outbox_due ON public.reservation_outbox USING btree (next_attempt_at) WHERE (NOT done);
CREATE INDEX reservations_by_group ON public.reservations USING btree (group_id) WHERE (group_id IS NOT NULL);
CREATE INDEX reservations_by_level ON public.reservations USING btree (sku, location) WHERE (status = 'active'::text);
CREATE INDEX reservations_by_order ON public.reservations USING btree (channel, external_ref);
CREATE INDEX reservations_due ON public.reservations USING btree (expires_at) WHERE ((status = 'active'::text) AND (expires_at IS NOT NULL));
CREATE INDEX skus_barcode ON public.skus USING btree (barcode) WHERE (barcode IS NOT NULL);
CREATE RULE movements_are_append_only_delete AS
    ON DELETE TO public.movements
   WHERE (current_setting('omnistock.archiving'::text, true) IS DISTINCT FROM 'on'::text) DO INSTEAD NOTHING;
CREATE RULE movements_are_append_only_update AS
    ON UPDATE TO public.movements DO INSTEAD NOTHING;
CREATE TRIGGER levels_enqueue_push_on_insert AFTER INSERT ON public.levels REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.enqueue_levels_push();
CREATE TRIGGER levels_enqueue_push_on_update AFTER UPDATE ON public.levels REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.enqueue_levels_push();
CREATE TRIGGER reservations_enqueue_push AFTER INSERT OR UPDATE OF status ON public.reservations FOR EACH ROW EXECUTE FUNCTION public.enqueue_reservation_push();
ALTER TABLE ONLY public.bundle_components
    ADD CONSTRAINT bundle_components_bundle_sku_fkey FOREIGN KEY (bundle_sku) REFERENCES public.skus(sku) ON DELETE CASCADE;
ALTER TABLE ONLY public.bundle_components
    ADD CONSTRAINT bundle_components_component_sku_fkey FOREIGN KEY (component_sku) REFERENCES public.skus(sku);
ALTER TABLE ONLY public.channel_items
    ADD CONSTRAINT channel_items_channel_fkey FOREIGN KEY (channel) REFERENCES public.channels(code) ON DELETE CASCADE;
ALTER TABLE ONLY public.channel_locations
    ADD CONSTRAINT channel_locations_channel_fkey FOREIGN KEY (channel) REFERENCES public.channels(code) ON DELETE CASCADE;
ALTER TABLE ONLY public.channel_locations
    ADD CONSTRAINT channel_locations_location_fkey FOREIGN KEY (location) REFERENCES public.locations(code);
ALTER TABLE ONLY public.channel_state
    ADD CONSTRAINT channel_state_channel_fkey FOREIGN KEY (channel) REFERENCES public.channels(code) ON DELETE CASCADE;
ALTER TABLE ONLY public.checkpoint_levels
    ADD CONSTRAINT checkpoint_levels_checkpoint_fkey FOREIGN KEY (checkpoint) REFERENCES public.ledger_checkpoints(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.levels
    ADD CONSTRAINT levels_location_fkey FOREIGN KEY (location) REFERENCES public.locations(code);
ALTER TABLE ONLY public.levels
    ADD CONSTRAINT levels_sku_fkey FOREIGN KEY (sku) REFERENCES public.skus(sku);
ALTER TABLE ONLY public.listings
    ADD CONSTRAINT listings_channel_fkey FOREIGN KEY (channel) REFERENCES public.channels(code) ON DELETE CASCADE;
ALTER TABLE ONLY public.listings
    ADD CONSTRAINT listings_sku_fkey FOREIGN KEY (sku) REFERENCES public.skus(sku);
ALTER TABLE ONLY public.location_distances
    ADD CONSTRAINT location_distances_location_fkey FOREIGN KEY (location) REFERENCES public.locations(code) ON DELETE CASCADE;
ALTER TABLE ONLY public.movements
    ADD CONSTRAINT movements_level_fkey FOREIGN KEY (sku, location) REFERENCES public.levels(sku, location);
ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_channel_fkey FOREIGN KEY (channel) REFERENCES public.channels(code) ON DELETE CASCADE;
ALTER TABLE ONLY public.reservation_outbox
    ADD CONSTRAINT reservation_outbox_channel_fkey FOREIGN KEY (channel) REFERENCES public.channels(code) ON DELETE CASCADE;
ALTER TABLE ONLY public.reservation_outbox
    ADD CONSTRAINT reservation_outbox_reservation_id_fkey FOREIGN KEY (reservation_id) REFERENCES public.reservations(id);
ALTER TABLE ONLY public.reservations
    ADD CONSTRAINT reservations_bundle_sku_fkey FOREIGN KEY (bundle_sku) REFERENCES public.skus(sku);
ALTER TABLE ONLY public.reservations
    ADD CONSTRAINT reservations_level_fkey FOREIGN KEY (sku, location) REFERENCES public.levels(sku, location);
