import Support

/// Runs a command-line tool to completion (through ``ChildProcess``, which also explains why not Foundation's `Process`).
public enum ToolRunner {
    /// How a tool ended.
    public struct Outcome: Sendable {
        /// Exit code (128 + n when killed by signal n).
        public var status: Int32
        /// stdout and stderr together.
        public var output: String
    }

    /// Runs `executable` with `arguments`; stdout and stderr are returned together as text.
    public static func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        do {
            let (status, output) = try ChildProcess.run(executable, arguments)
            return Outcome(status: status, output: output)
        } catch let error as ChildProcess.SpawnError {
            throw EmbeddedCluster.Failure(description: error.description)
        }
    }
}
