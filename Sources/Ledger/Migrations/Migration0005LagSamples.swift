extension Migration {
    /// Outbox lag sampled over time, for the status page's chart.
    static let lagSamples = Migration(
        version: 5, name: "lag_samples",
        sql: #"""
            CREATE TABLE lag_samples (
                sampled_at   timestamptz NOT NULL DEFAULT now(),
                channel      text NOT NULL,
                pending      int NOT NULL,
                lag_seconds  float8 NOT NULL,
                PRIMARY KEY (channel, sampled_at)
            );
            """#)
}
