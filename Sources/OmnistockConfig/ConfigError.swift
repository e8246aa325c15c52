/// A configuration problem: one line naming the key and what is wrong with it.
package struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dotted path of the key, e.g. `channels[1].share`.
    package var key: String
    package var message: String

    package init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    package var description: String { key.isEmpty ? "config: \(message)" : "config: \(key): \(message)" }
}
