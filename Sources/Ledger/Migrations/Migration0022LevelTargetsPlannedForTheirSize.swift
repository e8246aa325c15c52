extension Migration {
    /// The outbox trigger of migration 20 plans a statement of many levels for its size (issue 15).
    ///
    /// PL/pgSQL plans each static statement of a function once per session and keeps the plan, and the planner sizes
    /// the transition tables (`new_rows`, `old_rows`) by the rows they held at that first call. After a change of one
    /// level, that plan joins the two tables in a nested loop, and a later statement of the same session that updates
    /// many levels (a stock import) then compares every changed level with every other: 5,000 levels took 3.9 s
    /// instead of 0.28 s, and an import of 100,000 would take about 25 minutes while holding its levels locked.
    ///
    /// Statements of more than `levelsMarkedByACachedPlan` levels now run the same upsert through `EXECUTE`, planned
    /// for the rows they changed. Smaller ones keep the cached plan, which was made for a statement no larger than
    /// they are; the reservations and sales of the hot paths are such statements, and planning each would cost them.
    static let levelTargetsPlannedForTheirSize = Migration(
        version: 22, name: "level_targets_planned_for_their_size",
        sql: #"""
            CREATE OR REPLACE FUNCTION enqueue_levels_push() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT FROM new_rows OFFSET \#(levelsMarkedByACachedPlan)) THEN
                    IF TG_OP = 'INSERT' THEN
                        EXECUTE $marks$ \#(markTargetsDue(of: insertedLevels)) $marks$;
                    ELSE
                        EXECUTE $marks$ \#(markTargetsDue(of: updatedLevels)) $marks$;
                    END IF;
                ELSIF TG_OP = 'INSERT' THEN
                    \#(markTargetsDue(of: insertedLevels))
                ELSE
                    \#(markTargetsDue(of: updatedLevels))
                END IF;
                RETURN NULL;
            END
            $$;
            """#)

    /// The most levels a statement may change and still mark its targets with the plan cached for the session.
    private static let levelsMarkedByACachedPlan = 100
}
