import Support

/// Runs a command-line tool to completion (through ``ChildProcess``, which also explains why not Foundation's `Process`).
package enum ToolRunner {
    /// How a tool ended.
    package struct Outcome: Sendable {
        /// Exit code (128 + n when killed by signal n).
        package var status: Int32
        /// stdout and stderr together.
        package var output: String
    }

    /// Runs `executable` with `arguments`; stdout and stderr are returned together as text.
    package static func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        do {
            let (status, output) = try ChildProcess.run(executable, arguments)
            return Outcome(status: status, output: output)
        } catch let error as ChildProcess.SpawnError {
            throw EmbeddedCluster.Failure(description: error.description)
        }
    }
}
