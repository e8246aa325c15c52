import Foundation

extension BenchRunner {
    /// How many requests each ceiling keeps outstanding: threads × reservations per statement.
    static let statementCeilingShapes: [(connections: Int, batch: Int)] = [(1, 8), (2, 4), (2, 8)]

    /// The reservation statement driven directly, with no gathering (`LedgerWriteBench.statementCeiling`), against
    /// `pgbench -N` at 8 clients in alternating rounds: with 8 requests outstanding (one connection × 8, two × 4) it
    /// is the most group commit could reach for the 8-client figure; with 16 (two × 8), what twice the clients could.
    /// The gap between these and the 8-client reservations figure is the gathering's cost; the gap between these and
    /// 1.0x is the statement's own work.
    func statementCeilings(writes: LedgerWriteBench, pgbench: PGBench, into report: inout BenchReport) async throws {
        let seconds = options.seconds
        for shape in Self.statementCeilingShapes {
            let outstanding = shape.connections * shape.batch
            let rounds = try await BenchRound.alternate(
                options.rounds,
                baseline: { [log] in
                    log("pgbench -N, 8 clients …")
                    return try pgbench.simpleUpdateTPS(clients: 8, seconds: Int(seconds))
                },
                ours: { [log, options] in
                    log("reservation statement alone, \(shape.connections) × \(shape.batch) outstanding …")
                    return writes.statementCeiling(
                        connections: shape.connections, batch: shape.batch, skus: options.skus, seconds: seconds
                    ).perSecond
                })
            report.figures.append(
                BenchFigure(
                    name: "reservation statement alone, \(outstanding) outstanding (\(shape.connections) × \(shape.batch), no gathering)",
                    rounds: rounds, unit: "/s", baselineName: "pgbench -N TPS, 8 client(s)"))
        }
    }
}
