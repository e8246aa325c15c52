import Foundation

/// One GraphQL operation, parsed far enough to cost it and answer it: fields with aliases,
/// arguments (variables substituted), directives and nested selections. Fragments are not supported.
struct GraphQLOperation {
    /// A selected field.
    struct Field {
        /// The alias, if the query gave one.
        var alias: String?
        /// The field name.
        var name: String
        /// The arguments, with `$variables` replaced by their values (`NSNull` when absent).
        var arguments: [String: Any] = [:]
        /// The directives by name, each with its arguments.
        var directives: [String: [String: Any]] = [:]
        /// The selection set (empty for a scalar).
        var selections: [Field] = []

        /// The key of this field in the response.
        var responseKey: String { alias ?? name }

        /// The selected subfield `name`, if any.
        func selection(_ name: String) -> Field? {
            selections.first { $0.name == name }
        }
    }

    /// A query that is not GraphQL this parser understands.
    struct SyntaxError: Error {
        /// What was wrong.
        var message: String
    }

    /// Whether the operation is a mutation.
    var isMutation: Bool
    /// The root fields.
    var fields: [Field]

    /// Parses `text`, substituting `variables`.
    init(parsing text: String, variables: [String: Any]) throws {
        var parser = Parser(tokens: try Self.tokens(text), variables: variables)
        (isMutation, fields) = try parser.operation()
    }

    enum Token: Equatable {
        case punctuator(Character)
        case name(String)
        case int(Int)
        case float(Double)
        case string(String)
    }

    static func tokens(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace || character == "," || character == "\u{FEFF}" {
                index += 1
            } else if character == "#" {
                while index < characters.count, !characters[index].isNewline { index += 1 }
            } else if "{}()[]:!$@=".contains(character) {
                tokens.append(.punctuator(character))
                index += 1
            } else if character == "\"" {
                var value = ""
                index += 1
                while index < characters.count, characters[index] != "\"" {
                    if characters[index] == "\\", index + 1 < characters.count { index += 1 }
                    value.append(characters[index])
                    index += 1
                }
                guard index < characters.count else { throw SyntaxError(message: "unterminated string") }
                tokens.append(.string(value))
                index += 1
            } else if character.isLetter || character == "_" {
                let start = index
                while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" { index += 1 }
                tokens.append(.name(String(characters[start..<index])))
            } else if character.isNumber || character == "-" {
                let start = index
                index += 1
                while index < characters.count, characters[index].isNumber || ".eE+-".contains(characters[index]) { index += 1 }
                let literal = String(characters[start..<index])
                if let value = Int(literal) {
                    tokens.append(.int(value))
                } else if let value = Double(literal) {
                    tokens.append(.float(value))
                } else {
                    throw SyntaxError(message: "bad number \(literal)")
                }
            } else {
                throw SyntaxError(message: "unexpected character \(character)")
            }
        }
        return tokens
    }

    struct Parser {
        let tokens: [Token]
        let variables: [String: Any]
        var position = 0

        init(tokens: [Token], variables: [String: Any]) {
            self.tokens = tokens
            self.variables = variables
        }

        var next: Token? { position < tokens.count ? tokens[position] : nil }

        mutating func take() throws -> Token {
            guard let token = next else { throw SyntaxError(message: "unexpected end of query") }
            position += 1
            return token
        }

        mutating func expect(_ punctuator: Character) throws {
            guard try take() == .punctuator(punctuator) else { throw SyntaxError(message: "expected \(punctuator)") }
        }

        mutating func name() throws -> String {
            guard case .name(let name) = try take() else { throw SyntaxError(message: "expected a name") }
            return name
        }

        mutating func skip(_ punctuator: Character) -> Bool {
            guard next == .punctuator(punctuator) else { return false }
            position += 1
            return true
        }

        mutating func operation() throws -> (Bool, [Field]) {
            var isMutation = false
            if case .name(let keyword) = next {
                guard keyword == "query" || keyword == "mutation" else { throw SyntaxError(message: "unsupported operation \(keyword)") }
                isMutation = keyword == "mutation"
                position += 1
                if case .name = next { position += 1 }
                if skip("(") {
                    // Variable definitions: their values come from `variables`.
                    var depth = 1
                    while depth > 0 {
                        switch try take() {
                        case .punctuator("("): depth += 1
                        case .punctuator(")"): depth -= 1
                        default: break
                        }
                    }
                }
                _ = try directives()
            }
            let fields = try selectionSet()
            guard next == nil else { throw SyntaxError(message: "only one operation per document is supported") }
            return (isMutation, fields)
        }

        mutating func selectionSet() throws -> [Field] {
            try expect("{")
            var fields: [Field] = []
            while !skip("}") { fields.append(try field()) }
            return fields
        }

        mutating func field() throws -> Field {
            var field = Field(name: try name())
            if skip(":") {
                field.alias = field.name
                field.name = try name()
            }
            if next == .punctuator("(") { field.arguments = try arguments() }
            field.directives = try directives()
            if next == .punctuator("{") { field.selections = try selectionSet() }
            return field
        }

        mutating func arguments() throws -> [String: Any] {
            try expect("(")
            var arguments: [String: Any] = [:]
            while !skip(")") {
                let key = try name()
                try expect(":")
                arguments[key] = try value()
            }
            return arguments
        }

        mutating func directives() throws -> [String: [String: Any]] {
            var directives: [String: [String: Any]] = [:]
            while skip("@") {
                let directive = try name()
                directives[directive] = next == .punctuator("(") ? try arguments() : [:]
            }
            return directives
        }

        mutating func value() throws -> Any {
            switch try take() {
            case .punctuator("$"): return variables[try name()] ?? NSNull()
            case .int(let value): return value
            case .float(let value): return value
            case .string(let value): return value
            case .name("true"): return true
            case .name("false"): return false
            case .name("null"): return NSNull()
            case .name(let enumValue): return enumValue
            case .punctuator("["):
                var values: [Any] = []
                while !skip("]") { values.append(try value()) }
                return values
            case .punctuator("{"):
                var object: [String: Any] = [:]
                while !skip("}") {
                    let key = try name()
                    try expect(":")
                    object[key] = try value()
                }
                return object
            default:
                throw SyntaxError(message: "expected a value")
            }
        }
    }
}
