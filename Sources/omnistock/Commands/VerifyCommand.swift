import ArgumentParser
import Ledger

/// `omnistock verify`: recomputes levels from movements; exit 1 with a list on any mismatch.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Recompute every level from its movements (from the latest checkpoint) and report differences.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Sum every movement, archived ones included, instead of starting from the latest checkpoint.")
    var full = false

    func run() async throws {
        try await reportingFailures {
            let runtime = try Runtime.start(options)
            defer { runtime.shutdown() }
            let mismatches = try runtime.ledger.verify(full: full)
            let bundleProblems = try runtime.ledger.verifyBundles()
            guard !mismatches.isEmpty || !bundleProblems.isEmpty else {
                print("ledger consistent: every level equals the sum of its movements; bundles hold no stock of their own")
                return
            }
            for mismatch in mismatches { print(mismatch) }
            for problem in bundleProblems { print(problem) }
            throw CommandFailure(
                exitCode: 1,
                message: "\(mismatches.count) level(s) differ from their movements, \(bundleProblems.count) bundle problem(s)")
        }
    }
}
