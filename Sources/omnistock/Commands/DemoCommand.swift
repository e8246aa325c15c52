import ArgumentParser
import ChannelSimulators
import Channels
import Foundation
import Ledger
import OmnistockConfig
import OmnistockDaemon
import ServiceLifecycle
import Sync

/// `omnistock demo`: the whole system on one machine — embedded PostgreSQL, three simulated channels,
/// the daemon — and a short scripted story showing the channels converge and conflicts resolve.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Omnistock against three simulated channels and walk through a short story.",
        discussion: """
            Starts a private PostgreSQL under --data-dir, a simulated Shopify webshop, Allegro marketplace and \
            store POS on loopback, and the daemon; then places orders, a pickup, a walk-in sale and a manual \
            edit, printing what each channel shows. The daemon keeps running afterwards (Ctrl-C stops it) \
            unless --exit is given.
            """)

    @Option(help: "Where the demo keeps its database and config.")
    var dataDir = "/tmp/omnistock-demo"

    @Option(help: "Admin API and webhook port on 127.0.0.1 (0 picks a free one).")
    var port = 8080

    @Flag(help: "Stop after the story instead of running on.")
    var exit = false

    func run() async throws {
        try await reportingFailures {
            let world = DemoWorld()
            try await world.start()
            try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
            let configPath = dataDir + "/omnistock.toml"
            let listenPort = port == 0 ? try FreePort.find() : port
            try world.configuration(dataDirectory: dataDir, port: listenPort).write(toFile: configPath, atomically: true, encoding: .utf8)
            let configuration: OmnistockConfiguration
            do {
                configuration = try OmnistockConfiguration.load(path: configPath, environment: [:], kinds: ChannelAdapters.kinds)
            } catch let error as ConfigError {
                throw CommandFailure.usage(error.description)
            }
            say("Omnistock demo — config \(configPath), database under \(dataDir)/postgresql")
            let runtime = try Runtime.start(configuration: configuration, migrate: true)
            defer { runtime.shutdown() }
            let summary = try runtime.ledger.importStock(DemoWorld.startingStock(), createMissing: true, reference: "demo catalogue")
            say("catalogue: \(DemoWorld.skuCount) SKUs, \(summary.rows) stock lines (\(summary.changed) changed)")
            let daemon = try Daemon(runtime: runtime)
            let group = daemon.makeServiceGroup(runtime: runtime)
            let story = DemoStory(world: world, runtime: runtime, reconcile: daemon.reconcile.engine, port: listenPort)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask {
                    do {
                        try await story.play()
                    } catch {
                        say("the story stopped: \(error)")
                    }
                    if exit {
                        await group.triggerGracefulShutdown()
                    } else {
                        say(
                            "\nThe daemon keeps running: admin API http://127.0.0.1:\(listenPort)/v1 (token \(DemoWorld.adminToken)), metrics /metrics. Ctrl-C stops it."
                        )
                    }
                }
                try await tasks.waitForAll()
            }
            await world.stop()
        }
    }
}
