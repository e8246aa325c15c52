/// A configuration problem: one line naming the key and what is wrong with it.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dotted path of the key, e.g. `channels[1].share`.
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.isEmpty ? "config: \(message)" : "config: \(key): \(message)" }
}
