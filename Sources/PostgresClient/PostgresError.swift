/// An error reported by libpq or the PostgreSQL server.
///
/// `description` is safe to show to users and write to logs: it holds the SQLSTATE and the server's
/// primary message only. `debugDescription` adds the detail, hint and the failed statement.
package struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, in the terms a caller can act on.
    package enum Kind: Sendable, Equatable {
        /// The connection could not be opened or was lost; the operation may be retried on a new connection.
        case connection
        /// The server rejected a statement; `sqlState` tells why.
        case server
        /// The client could not decode a value or was used incorrectly.
        case client
    }

    package var kind: Kind
    /// The five-character SQLSTATE code, when the server sent one.
    package var sqlState: String?
    /// The primary message.
    package var message: String
    /// The server's DETAIL field.
    package var detail: String?
    /// The server's HINT field.
    package var hint: String?
    /// The constraint that was violated, for integrity errors.
    package var constraint: String?
    /// The statement that failed (debug output only).
    package var statement: String?

    package init(
        kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil,
        hint: String? = nil, constraint: String? = nil, statement: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.statement = statement
    }

    /// Serialization failure (40001) or deadlock (40P01): the transaction may simply be run again.
    package var isTransactionRetryable: Bool {
        sqlState == SQLState.serializationFailure || sqlState == SQLState.deadlockDetected
    }

    /// The connection is gone (or the server is shutting down); retry on a new connection.
    package var isConnectionLost: Bool {
        kind == .connection || (sqlState?.hasPrefix("08") ?? false)
            || sqlState == SQLState.adminShutdown || sqlState == SQLState.crashShutdown
            || sqlState == SQLState.cannotConnectNow
    }

    /// The database cannot serve requests for now: the connection is lost, or the server is out of disk,
    /// memory or connections (SQLSTATE class 53). Nothing about the request was wrong; try again later.
    package var isDatabaseUnavailable: Bool {
        isConnectionLost || (sqlState?.hasPrefix("53") ?? false)
    }

    package var description: String {
        if let sqlState { return "PostgreSQL error \(sqlState): \(message)" }
        return "PostgreSQL \(kind) error: \(message)"
    }

    package var debugDescription: String {
        var text = description
        if let detail { text += "\nDETAIL: \(detail)" }
        if let hint { text += "\nHINT: \(hint)" }
        if let constraint { text += "\nCONSTRAINT: \(constraint)" }
        if let statement { text += "\nSTATEMENT: \(statement)" }
        return text
    }
}

/// SQLSTATE codes this client and its users act upon.
package enum SQLState {
    package static let uniqueViolation = "23505"
    package static let foreignKeyViolation = "23503"
    package static let checkViolation = "23514"
    package static let numericValueOutOfRange = "22003"
    package static let notNullViolation = "23502"
    package static let serializationFailure = "40001"
    package static let deadlockDetected = "40P01"
    package static let adminShutdown = "57P01"
    package static let crashShutdown = "57P02"
    package static let cannotConnectNow = "57P03"
    package static let queryCanceled = "57014"
    package static let undefinedTable = "42P01"
}
