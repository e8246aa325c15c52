import ArgumentParser
import Ledger

/// `omnistock migrate`: applies pending schema migrations (safe to run concurrently).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending database migrations.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reportingFailures {
            let runtime = try Runtime.start(options, migrate: true)
            defer { runtime.shutdown() }
            let version = try Migrator(pool: runtime.pool).currentVersion()
            print("database schema at version \(version)")
        }
    }
}
