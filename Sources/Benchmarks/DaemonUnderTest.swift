import Foundation
import Sync

/// An `omnistock` child process whose output goes to a log file, and whose memory can be read from `/proc`.
final class DaemonUnderTest {
    private let process = Process()
    private let logFile: URL

    init(executable: URL, arguments: [String], logFile: URL) throws {
        self.logFile = logFile
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: logFile)
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    /// `VmHWM` (peak resident set size) of the process, in bytes.
    func peakResidentBytes() -> Int? {
        ReconcileBenchmark.peakResidentBytes(process: String(process.processIdentifier))
    }

    /// SIGTERM, then SIGKILL if it has not ended within 20 s.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The last lines the daemon wrote.
    func logTail(_ characters: Int = 3000) -> String {
        String(((try? String(contentsOf: logFile, encoding: .utf8)) ?? "").suffix(characters))
    }
}
