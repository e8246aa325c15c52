import ArgumentParser
import OmnistockDaemon
import ServiceLifecycle

/// `omnistock serve`: the daemon (``Daemon``: push lanes, leadership and the leader's jobs, HTTP server) in one
/// service group that shuts down gracefully on SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the daemon: push stock to every channel, take webhooks, serve the admin API.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "Listen address host:port (overrides server.listen).")
    var listen: String?

    func run() async throws {
        try await reportingFailures {
            let runtime = try Runtime.start(options, migrate: true)
            defer { runtime.shutdown() }
            let daemon = try Daemon(runtime: runtime, listen: listen)
            try await daemon.makeServiceGroup(runtime: runtime).run()
        }
    }
}
