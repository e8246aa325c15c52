import Foundation
import Support
import Sync

/// An `omnistock` child process whose output goes to a log file, and whose memory can be read from `/proc`.
final class DaemonUnderTest {
    private let process: ChildProcess
    private let logFile: URL

    init(executable: URL, arguments: [String], logFile: URL) throws {
        self.logFile = logFile
        process = try ChildProcess(executable.path, arguments, output: .replace(path: logFile.path))
    }

    var isRunning: Bool { process.isRunning }

    /// `VmHWM` (peak resident set size) of the process, in bytes.
    func peakResidentBytes() -> Int? {
        ReconcileBenchmark.peakResidentBytes(process: String(process.pid))
    }

    /// SIGTERM, then SIGKILL if it has not ended within 20 s.
    func stop() {
        process.terminate(grace: 20)
    }

    /// The last lines the daemon wrote.
    func logTail(_ characters: Int = 3000) -> String {
        String(((try? String(contentsOf: logFile, encoding: .utf8)) ?? "").suffix(characters))
    }
}
