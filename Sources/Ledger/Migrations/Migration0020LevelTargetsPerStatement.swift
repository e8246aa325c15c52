extension Migration {
    /// The outbox marks of a statement that changes levels are made by one upsert per statement instead of one per
    /// level (issue 15): `levels_enqueue_push_on_insert` and `…_on_update` are statement-level triggers that read the
    /// changed rows from transition tables (https://www.postgresql.org/docs/15/sql-createtrigger.html, `REFERENCING`).
    ///
    /// What they mark is what the row trigger of migrations 1, 7 and 14 marked: every target of every channel that a
    /// changed level's location feeds, for the level's SKU and each bundle it is a component of, with the level's
    /// version as the wanted one and, when available stock fell, as the version of the last fall (decreases first).
    /// An update that leaves on hand and reserved as they were marks nothing. Targets that several levels of one
    /// statement feed (one SKU at two locations of a channel that does not model locations, two components of a bundle)
    /// are marked once with the newest versions, and in key order, so that two transactions marking the same targets
    /// lock them in the same order.
    ///
    /// Measured with `pgbench -M prepared` updating N levels of a channel-fed location per statement (each in a
    /// rolled-back transaction), old trigger against new: 1 level 0.18–0.31 ms against 0.21–0.37 ms (the same within
    /// the noise), 8 levels 0.89–1.13 ms against 0.53–0.77 ms, 200 levels 12.0–14.2 ms against 6.6–7.4 ms. The row
    /// trigger ran a planned upsert per level: executor start, constraint and index setup each time.
    static let levelTargetsPerStatement = Migration(
        version: 20, name: "level_targets_per_statement",
        sql: #"""
            CREATE FUNCTION enqueue_levels_push() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    \#(markTargetsDue(of: insertedLevels))
                ELSE
                    \#(markTargetsDue(of: updatedLevels))
                END IF;
                RETURN NULL;
            END
            $$;

            DROP TRIGGER levels_enqueue_push ON levels;
            DROP FUNCTION enqueue_level_push();
            CREATE TRIGGER levels_enqueue_push_on_insert AFTER INSERT ON levels
                REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION enqueue_levels_push();
            CREATE TRIGGER levels_enqueue_push_on_update AFTER UPDATE ON levels
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION enqueue_levels_push();
            """#)

    // The three below are used by migration 22 too, which plans the same upserts for large statements: change neither.

    /// The levels an insert added, none of them a fall.
    static let insertedLevels = "SELECT sku, location, version, NULL::bigint AS fell FROM new_rows"

    /// The levels an update changed in on hand or reserved, with the version of a fall of available stock.
    static let updatedLevels = """
        SELECT new_level.sku, new_level.location, new_level.version,
                    CASE WHEN new_level.on_hand - new_level.reserved < old_level.on_hand - old_level.reserved
                        THEN new_level.version END AS fell
                FROM new_rows AS new_level
                JOIN old_rows AS old_level ON old_level.sku = new_level.sku AND old_level.location = new_level.location
                WHERE new_level.on_hand <> old_level.on_hand OR new_level.reserved <> old_level.reserved
        """

    /// The upsert that marks due the targets fed by `changed`, a query of the changed levels' `sku`, `location`,
    /// `version` and `fell` (the version when available stock fell, else NULL).
    static func markTargetsDue(of changed: String) -> String {
        """
        INSERT INTO outbox AS o (channel, sku, location_scope, wanted_version, decreased_version)
                SELECT c.code, affected.sku, CASE WHEN c.models_locations THEN level.location ELSE '*' END,
                    max(level.version), max(level.fell)
                FROM (\(changed)) AS level
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
        """
    }
}
