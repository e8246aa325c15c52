import ArgumentParser
import Foundation

/// How a command ends when it cannot do its work: one line on stderr and a documented exit code.
struct CommandFailure: Error {
    /// 1 problems found, 2 usage or configuration error, 3 database unreachable.
    var exitCode: Int32
    var message: String

    static func usage(_ message: String) -> Self { Self(exitCode: 2, message: message) }
    static func databaseUnreachable(_ message: String) -> Self { Self(exitCode: 3, message: message) }
}

extension AsyncParsableCommand {
    /// Runs `body`, turning a `CommandFailure` into its message and exit code.
    func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("omnistock: \(failure.message)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
    }
}
