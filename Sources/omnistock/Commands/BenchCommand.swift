import ArgumentParser
import Benchmarks
import Foundation
import Ledger
import PostgresClient

/// `omnistock bench`: the performance figures, each beside a baseline measured in the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Measure ledger writes, hot-SKU contention, ingest, propagation, webhook ingress, reconcile, channel backlogs, a long history, a simulated sales day and daemon memory against same-run baselines.",
        discussion: """
            Starts its own throwaway PostgreSQL (under --data-dir if given, else the temporary directory; removed \
            afterwards) unless --database is given (the database gets benchmark data: use an empty one). Baselines: pgbench -N on the same database, a trivial route on the same server, \
            a new connection per request. Baselines that share the machine (pgbench, GET /healthz) run in alternating \
            rounds with ours (A B A B …; --rounds, 3 by default, 2 with --quick): the table gives the median ratio and \
            its spread, --json every round, and the load average is printed before and after. The writes phase also \
            drives the reservation statement alone, 8 and 16 requests outstanding with no gathering: the most group \
            commit could reach at 8 clients. The backlog phase pushes \
            a bulk change of 100,000 SKUs (10,000, and 200 to Allegro, with --quick) to Shopify, WooCommerce and Allegro \
            simulators that enforce each vendor's documented limit, with sales made meanwhile; Allegro's 2,500 offer \
            PATCHes a minute make its part take 40 minutes. The history phase measures 8-client reservations and verify, \
            loads 10,000,000 old movements (200,000 with --quick), takes a checkpoint and measures both again. The sales-day \
            phase plays one seeded day (--seed) of buyers on five simulated channels and a store till three times — static \
            buffer 0, static buffer 2, lag-aware — and counts oversold, hidden and sold units (180 s each; 40 s with --quick). The memory phase starts this executable as `omnistock serve` on \
            1,000,000 levels (100,000 with --quick) and reads its peak RSS; run a release build for real figures.
            """)

    @OptionGroup var options: GlobalOptions

    @Flag(help: "A short run (10,000 SKUs, 2 s phases).")
    var quick = false

    @Option(help: "Rounds of baseline and ours, alternating (default 3; 2 with --quick).")
    var rounds: Int?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "The sales day's seed (default 17): the same seed plays the same day.")
    var seed: UInt64?

    @Option(
        name: .customLong("only"), parsing: .upToNextOption,
        help: "Run only these parts: \(BenchPhase.allCases.map(\.rawValue).joined(separator: ", ")).")
    var phases: [BenchPhase] = []

    func run() async throws {
        try await reportingFailures {
            var cluster: EmbeddedCluster?
            let parent = options.dataDir.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
            let directory = parent.appendingPathComponent("omnistock-bench-\(UUID().uuidString.prefix(8))")
            defer {
                try? cluster?.stop()
                try? FileManager.default.removeItem(at: directory)
            }
            let url: String
            if let database = options.database {
                url = database
            } else {
                let started = try EmbeddedCluster(directory: directory)
                do {
                    try started.start(extraSettings: ["shared_buffers": "'256MB'", "max_wal_size": "'2GB'"])
                } catch let failure as EmbeddedCluster.Failure where failure.isDirectoryProblem {
                    throw CommandFailure.usage("data_dir \(parent.path): \(failure.description)")
                }
                cluster = started
                url = started.url()
            }
            let pool = PostgresPool(conninfo: url, maxConnections: 24)
            do {
                try Migrator(pool: pool).migrate()
            } catch let error as PostgresError where error.isConnectionLost {
                throw CommandFailure.databaseUnreachable("cannot reach the database: \(error.message)")
            }
            var options: BenchRunner.Options = quick ? .quick : .init()
            if !phases.isEmpty { options.phases = Set(phases) }
            if let rounds {
                guard rounds >= 1 else { throw CommandFailure.usage("--rounds must be at least 1") }
                options.rounds = rounds
            }
            if let seed { options.salesDay.seed = seed }
            options.daemonExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let runner = BenchRunner(
                pool: pool, pgbenchDirectory: try? EmbeddedCluster.findBinaries(), options: options,
                log: { message in FileHandle.standardError.write(Data("bench: \(message)\n".utf8)) })
            let report = try await runner.run()
            print(json ? try JSONOutput.string(report) : report.table())
        }
    }
}

extension BenchPhase: ExpressibleByArgument {}
