import ArgumentParser

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $OMNISTOCK_CONFIG, else none).")
    var config: String?

    @Option(name: .long, help: "Data directory for the embedded database (overrides data_dir).")
    var dataDir: String?

    @Option(name: .long, help: "PostgreSQL URL (overrides database.url and $OMNISTOCK_DATABASE_URL).")
    var database: String?
}
