extension Migration {
    /// Sourcing and bundles (DESIGN.md §5a): each channel's sourcing policy and the order of its locations
    /// (`priority`), the configured distance table (`nearest`), and on reservations the line or bundle they
    /// were taken for, so the parts of a split line or of a bundle are found, released and committed together.
    static let sourcing = Migration(
        version: 11, name: "sourcing",
        sql: #"""
            ALTER TABLE channels ADD COLUMN sourcing text NOT NULL DEFAULT 'priority'
                CHECK (sourcing IN ('priority', 'nearest', 'most_available'));
            ALTER TABLE channel_locations ADD COLUMN position int NOT NULL DEFAULT 0;

            -- `[distances]` from the configuration: how far `location` is from `origin` (a store or a region name).
            CREATE TABLE location_distances (
                origin    text NOT NULL,
                location  text NOT NULL REFERENCES locations ON DELETE CASCADE,
                distance  int NOT NULL CHECK (distance >= 0),
                PRIMARY KEY (origin, location)
            );

            -- A reservation taken as one part of a split order line or of a bundle: `group_id` is shared by the
            -- parts; `bundle_sku` and `bundle_quantity` say which bundle (and how many) the component part serves.
            ALTER TABLE reservations ADD COLUMN group_id text,
                ADD COLUMN bundle_sku text REFERENCES skus,
                ADD COLUMN bundle_quantity int CHECK (bundle_quantity > 0);
            CREATE INDEX reservations_by_group ON reservations (group_id) WHERE group_id IS NOT NULL;
            """#)
}
