import ArgumentParser

/// The `omnistock` command: the daemon and its operator tools.
@main
struct Omnistock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Keeps every sales channel showing the stock one PostgreSQL ledger says is really there.",
        discussion: """
            Exit codes: 0 ok, 1 problems found (verify, reconcile), 2 usage or configuration error, \
            3 database unreachable.
            """,
        subcommands: [
            MigrateCommand.self, ImportCommand.self, BundlesCommand.self, ListingsCommand.self, StockCommand.self, VerifyCommand.self,
            StatusCommand.self, InboxCommand.self, ReconcileCommand.self, ServeCommand.self, SimulateCommand.self, DemoCommand.self,
            BenchCommand.self,
        ])
}
