import Dispatch
import Foundation
import Logging
import PostgresClient
import ServiceLifecycle

/// Keeps the daemon's embedded cluster running: checks every `interval` seconds and starts the server
/// again when it stopped (a crash PostgreSQL could not recover from by itself, an operator's `pg_ctl stop`,
/// a command that started it and stopped it on exit). The pool and the worker reconnect by themselves.
struct EmbeddedClusterKeeper: Service {
    let cluster: EmbeddedCluster
    let interval: Double
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // The wait ends early on graceful shutdown, so the daemon stops at once.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
            guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return }
            await withCheckedContinuation { continuation in
                // pg_ctl is a blocking child process: never on the cooperative pool.
                DispatchQueue.global().async {
                    keepRunning()
                    continuation.resume()
                }
            }
        }
    }

    private func keepRunning() {
        guard !cluster.isRunning else { return }
        logger.warning("the embedded PostgreSQL is not running; starting it again", metadata: ["directory": "\(cluster.directory.path)"])
        do {
            try cluster.start()
            logger.notice("the embedded PostgreSQL runs again")
        } catch {
            logger.error("cannot start the embedded PostgreSQL; trying again", metadata: ["error": "\(error)"])
        }
    }
}
