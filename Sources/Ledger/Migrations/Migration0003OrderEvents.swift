extension Migration {
    /// What the event processor knows of each channel order (so late or replayed events are recognised
    /// as stale), and retry timing for inbox events that failed.
    static let orderEvents = Migration(
        version: 3, name: "order_events",
        sql: #"""
            CREATE TABLE channel_orders (
                channel     text NOT NULL,
                order_ref   text NOT NULL,
                status      text NOT NULL CHECK (status IN ('open', 'cancelled', 'fulfilled')),
                applied_at  timestamptz,
                updated_at  timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (channel, order_ref)
            );

            ALTER TABLE inbox ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();
            """#)
}
