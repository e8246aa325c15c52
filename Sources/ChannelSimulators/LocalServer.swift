import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Runs a Hummingbird router as a real HTTP server in this process, on 127.0.0.1 by default.
package final class LocalServer: Sendable {
    /// Why a server did not start.
    package struct StartError: Error, Sendable, CustomStringConvertible {
        /// What went wrong.
        package var description: String
    }

    private struct Running {
        var group: ServiceGroup
        var task: Task<Void, Never>
    }

    private let running = Mutex<Running?>(nil)
    private let logger: Logger

    /// Creates a stopped server; `logLevel` applies to Hummingbird's own log.
    package init(logLevel: Logger.Level = .warning) {
        var logger = Logger(label: "omnistock.simulator")
        logger.logLevel = logLevel
        self.logger = logger
    }

    /// Starts serving `router` and returns the port actually bound (useful with `port: 0`).
    package func start(router: Router<BasicRequestContext>, host: String = "127.0.0.1", port: Int = 0) async throws(StartError) -> Int {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? port)
                continuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let logger = logger
        let task = Task {
            do {
                try await group.run()
            } catch {
                logger.error("local server stopped", metadata: ["error": "\(error)"])
            }
            continuation.finish()
        }
        guard let bound = await ports.first(where: { _ in true }) else {
            throw StartError(description: "server on \(host):\(port) did not start")
        }
        running.withLock { $0 = Running(group: group, task: task) }
        return bound
    }

    /// Stops the server gracefully (requests in progress get up to `grace` to finish) and waits until it has closed.
    package func stop(grace: Duration = .seconds(1)) async {
        guard
            let current = running.withLock({ value in
                defer { value = nil }
                return value
            })
        else { return }
        await current.group.triggerGracefulShutdown()
        let deadline = Task {
            try? await Task.sleep(for: grace)
            current.task.cancel()
        }
        await current.task.value
        deadline.cancel()
    }
}
