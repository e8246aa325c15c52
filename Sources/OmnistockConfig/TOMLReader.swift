import TOMLKit

/// Reads one TOML table strictly: every value is checked for type and range, and any key
/// nobody asked for is reported as unknown. Errors name the full dotted key.
struct TOMLReader {
    let table: TOMLTable
    let path: String
    let environment: [String: String]
    private var used: Set<String> = []

    init(table: TOMLTable, path: String, environment: [String: String]) {
        self.table = table
        self.path = path
        self.environment = environment
    }

    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    private mutating func value(_ name: String) -> (any TOMLValueConvertible)? {
        used.insert(name)
        return table[name]
    }

    mutating func string(_ name: String) throws -> String? {
        guard let value = value(name) else { return nil }
        guard let text = value.string else { throw ConfigError(key: key(name), message: "expected a string") }
        return text
    }

    mutating func string(_ name: String, default fallback: String) throws -> String {
        try string(name) ?? fallback
    }

    mutating func requiredString(_ name: String) throws -> String {
        guard let text = try string(name), !text.isEmpty else { throw ConfigError(key: key(name), message: "is required") }
        return text
    }

    mutating func oneOf(_ name: String, _ allowed: [String], default fallback: String? = nil) throws -> String {
        guard let text = try string(name) ?? fallback else { throw ConfigError(key: key(name), message: "is required") }
        guard allowed.contains(text) else {
            throw ConfigError(key: key(name), message: "must be one of \(allowed.joined(separator: ", ")), not \"\(text)\"")
        }
        return text
    }

    mutating func int(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let value = value(name) else { return nil }
        guard let number = value.int else { throw ConfigError(key: key(name), message: "expected a whole number") }
        guard range.contains(number) else {
            throw ConfigError(key: key(name), message: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    mutating func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        try int(name, range: range) ?? fallback
    }

    mutating func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let value = value(name) else { return fallback }
        guard let flag = value.bool else { throw ConfigError(key: key(name), message: "expected true or false") }
        return flag
    }

    /// Whether the table sets `name` (not marked as read).
    func has(_ name: String) -> Bool { table[name] != nil }

    /// A duration in seconds, at least `minimum` (an interval of 0 would spin a timer; a timeout of 0 is none at all
    /// in libcurl) and at most `maximum`, with `why` saying so in the error.
    mutating func duration(
        _ name: String, default fallback: String, atLeast minimum: Double = 0, atMost maximum: Double = .infinity, why: String = ""
    ) throws -> Double {
        let text = try string(name, default: fallback)
        guard let seconds = ConfigDuration.seconds(text) else {
            throw ConfigError(key: key(name), message: "expected a duration such as 30s, 15m or 2h, not \"\(text)\"")
        }
        guard seconds >= minimum else {
            throw ConfigError(key: key(name), message: "expected at least \(ConfigDuration.text(minimum))\(why.isEmpty ? "" : " (\(why))")")
        }
        guard seconds <= maximum else {
            throw ConfigError(key: key(name), message: "expected at most \(ConfigDuration.text(maximum))\(why.isEmpty ? "" : " (\(why))")")
        }
        return seconds
    }

    mutating func strings(_ name: String) throws -> [String]? {
        guard let value = value(name) else { return nil }
        guard let array = value.array else { throw ConfigError(key: key(name), message: "expected a list of strings") }
        return try array.enumerated().map { index, element in
            guard let text = element.string else { throw ConfigError(key: "\(key(name))[\(index)]", message: "expected a string") }
            return text
        }
    }

    /// A list of whole numbers, each within `range`; nil when the key is absent.
    mutating func ints(_ name: String, range: ClosedRange<Int>) throws -> [Int]? {
        guard let value = value(name) else { return nil }
        guard let array = value.array else { throw ConfigError(key: key(name), message: "expected a list of whole numbers") }
        return try array.enumerated().map { index, element in
            guard let number = element.int else { throw ConfigError(key: "\(key(name))[\(index)]", message: "expected a whole number") }
            guard range.contains(number) else {
                throw ConfigError(key: "\(key(name))[\(index)]", message: "must be between \(range.lowerBound) and \(range.upperBound)")
            }
            return number
        }
    }

    /// A credential: written inline or as `env:NAME`, resolved from the environment here.
    mutating func secret(_ name: String) throws -> Secret? {
        guard let text = try string(name) else { return nil }
        return try resolveSecret(text, key: key(name))
    }

    mutating func secrets(_ name: String) throws -> [Secret] {
        try (strings(name) ?? []).enumerated().map { try resolveSecret($1, key: "\(key(name))[\($0)]") }
    }

    func resolveSecret(_ text: String, key: String) throws -> Secret {
        guard text.hasPrefix("env:") else { return Secret(text) }
        let variable = String(text.dropFirst(4))
        guard let value = environment[variable], !value.isEmpty else {
            throw ConfigError(key: key, message: "environment variable \(variable) is not set")
        }
        return Secret(value)
    }

    mutating func table(_ name: String) throws -> TOMLReader? {
        guard let value = value(name) else { return nil }
        guard let table = value.table else { throw ConfigError(key: key(name), message: "expected a table") }
        return TOMLReader(table: table, path: key(name), environment: environment)
    }

    mutating func tables(_ name: String) throws -> [TOMLReader] {
        guard let value = value(name) else { return [] }
        guard let array = value.array else { throw ConfigError(key: key(name), message: "expected an array of tables") }
        return try array.enumerated().map { index, element in
            guard let table = element.table else { throw ConfigError(key: "\(key(name))[\(index)]", message: "expected a table") }
            return TOMLReader(table: table, path: "\(key(name))[\(index)]", environment: environment)
        }
    }

    /// Throws for the first key in the table that was never read.
    func rejectUnknownKeys() throws {
        if let unknown = table.keys.sorted().first(where: { !used.contains($0) }) {
            throw ConfigError(key: key(unknown), message: "unknown key")
        }
    }
}
