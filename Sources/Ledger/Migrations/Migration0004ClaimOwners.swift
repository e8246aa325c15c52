extension Migration {
    /// Which replica holds each claim, so claims of a replica that died are handed back at once
    /// instead of waiting for their lease to run out.
    static let claimOwners = Migration(
        version: 4, name: "claim_owners",
        sql: #"""
            ALTER TABLE outbox ADD COLUMN claimed_by int;
            ALTER TABLE reservation_outbox ADD COLUMN claimed_by int;
            CREATE INDEX outbox_claimed ON outbox (claimed_by) WHERE claimed_by IS NOT NULL;
            """#)
}
