import Foundation

/// Polls `condition` every `interval` until it holds or `timeout` seconds pass, then checks it once more; returns
/// whether it held. Sleeps asynchronously, so what runs on the same cooperative threads (simulators, pushes, the
/// daemon's clients) goes on meanwhile.
package func eventually(
    timeout: Double = 30, interval: Duration = .milliseconds(100), _ condition: () throws -> Bool
) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try condition()
}
