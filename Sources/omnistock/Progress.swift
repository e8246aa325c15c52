import Foundation

/// Reports progress of long work: a redrawn bar on a terminal, a plain line every few seconds otherwise.
final class Progress {
    private let label: String
    private let total: Int?
    private let interactive = isatty(STDERR_FILENO) == 1
    private let started = Date()
    private var lastDraw = Date.distantPast

    init(label: String, total: Int? = nil) {
        self.label = label
        self.total = total
    }

    /// Reports `done` items so far.
    func update(_ done: Int, force: Bool = false) {
        let now = Date()
        let interval = interactive ? 0.1 : 5
        guard force || now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        var text = "\(label): \(done)"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            let eta = rate > 0 ? Double(total - done) / rate : 0
            text =
                "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: "-", count: width - filled))] \(done)/\(total)"
                + String(format: " %.0f/s ETA %.0fs", rate, max(0, eta))
        } else {
            text += String(format: " (%.0f/s)", rate)
        }
        FileHandle.standardError.write(Data((interactive ? "\r\u{1B}[K" + text : text + "\n").utf8))
    }

    /// Ends the bar's line.
    func finish(_ done: Int) {
        update(done, force: true)
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
