extension Migration {
    /// Inbox events that failed `inbox_max_attempts` times are set aside as `dead`: kept with their last error for an
    /// operator (status, metrics, `omnistock inbox`), no longer retried, and no longer in front of the events behind them.
    static let inboxSetAside = Migration(
        version: 10, name: "inbox_set_aside",
        sql: #"""
            ALTER TABLE inbox DROP CONSTRAINT inbox_status_check;
            ALTER TABLE inbox ADD CONSTRAINT inbox_status_check CHECK (status IN ('pending', 'processed', 'failed', 'ignored', 'dead'));
            """#)
}
