extension Migration {
    /// A movement and a reservation name their level as their parent, not the SKU and the location apart (issue 15).
    ///
    /// Each foreign key check locks the row it finds (`FOR KEY SHARE`). With keys to `skus` and `locations`, every
    /// write at a location locked that location's one row, and when two writers' transactions overlapped PostgreSQL
    /// had to record both lockers in a new MultiXact: 3,406 MultiXacts for 3,387 reservations at one warehouse, 8
    /// clients (`pgbench` driving the batch statement). MultiXacts cost a write to their own logs each, and their
    /// space must be vacuumed back before it wraps around. A key to `levels` (sku, location) locks the level row
    /// instead, which the writing transaction has already updated and locked itself, and is one check where there were
    /// two. The level row still names an existing SKU and location through its own keys, so nothing can name a SKU or
    /// a location that does not exist.
    ///
    /// Every write already makes its movement and reservation from the level row it updates (a level row is created
    /// by the first change that adds stock). A row written by hand might still lack its level: it gets an empty one
    /// (0 on hand, 0 reserved), so that the upgrade does not stop on it and `omnistock verify` goes on reporting the
    /// difference, as it did before. The keys are added `NOT VALID` and then validated, which reads the tables without
    /// blocking writes.
    static let levelsAsParents = Migration(
        version: 24, name: "levels_as_parents",
        sql: """
            INSERT INTO levels (sku, location)
            SELECT sku, location FROM movements UNION SELECT sku, location FROM reservations
            EXCEPT SELECT sku, location FROM levels;
            ALTER TABLE movements DROP CONSTRAINT movements_sku_fkey, DROP CONSTRAINT movements_location_fkey,
                ADD CONSTRAINT movements_level_fkey FOREIGN KEY (sku, location) REFERENCES levels (sku, location) NOT VALID;
            ALTER TABLE reservations DROP CONSTRAINT reservations_sku_fkey, DROP CONSTRAINT reservations_location_fkey,
                ADD CONSTRAINT reservations_level_fkey FOREIGN KEY (sku, location) REFERENCES levels (sku, location) NOT VALID;
            ALTER TABLE movements VALIDATE CONSTRAINT movements_level_fkey;
            ALTER TABLE reservations VALIDATE CONSTRAINT reservations_level_fkey;
            """)
}
