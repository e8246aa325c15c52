import CLibPQ
import Foundation

/// One libpq connection. Blocking; use it from one thread at a time (the pool hands it out so).
///
/// Sessions are set to `TimeZone=UTC` and `DateStyle=ISO` so that dates round-trip exactly, and to `jit = off`:
/// JIT compilation (https://www.postgresql.org/docs/15/jit-decision.html) starts whenever a plan's estimated cost
/// passes `jit_above_cost`, however fast the query really is. The push lanes' claim (values of 250 targets, about 20 ms)
/// crossed it on its row estimates and spent 100–115 ms compiling each time, which capped a rate-limited lane at
/// about 4 batches a second.
package final class PostgresConnection {
    let handle: OpaquePointer
    /// Names of the `PreparedStatement`s this session has prepared.
    private var preparedNames: Set<String> = []
    /// Whether `PreparedStatement`s are prepared on the server; when false they run as plain parameterised
    /// statements (a transaction pooler hands each transaction a different server session).
    let preparesStatements: Bool

    /// Opens a connection from a `postgresql://` URL or a `key=value` conninfo string; `preparesStatements: false`
    /// for a connection through a transaction-pooling PgBouncer.
    package init(conninfo: String, connectTimeout: Int = 10, preparesStatements: Bool = true) throws {
        self.preparesStatements = preparesStatements
        let withTimeout = Self.addingConnectTimeout(conninfo, seconds: connectTimeout)
        guard let handle = PQconnectdb(withTimeout) else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.errorMessage(handle)
            PQfinish(handle)
            throw PostgresError(kind: .connection, message: message)
        }
        self.handle = handle
        try execute(
            "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET client_encoding = 'UTF8'; SET client_min_messages = warning; SET jit = off")
    }

    deinit { PQfinish(handle) }

    /// Whether libpq still considers the connection usable.
    package var isOpen: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Whether the session is inside a transaction block (or a failed one).
    package var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Whether the connection was left in pipeline mode (a pipeline broken off by an error): not usable for queries.
    var isInPipeline: Bool { PQpipelineStatus(handle) != PQ_PIPELINE_OFF }

    /// The socket descriptor, for readiness notification.
    var socket: Int32 { PQsocket(handle) }

    /// Runs one parameterised statement (`$1`, `$2`, …) and returns its rows.
    @discardableResult
    package func query(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> PostgresRows {
        let texts = parameters.map(\.postgresText)
        let result: OpaquePointer? = withCStrings(texts) { pointers in
            PQexecParams(handle, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        return try check(result, statement: sql)
    }

    /// Runs a prepared statement, preparing it on this connection first if it is new here.
    @discardableResult
    package func query(_ statement: PreparedStatement, _ parameters: [any PostgresBindable] = []) throws -> PostgresRows {
        guard preparesStatements else { return try query(statement.sql, parameters) }
        try prepare(statement)
        let texts = parameters.map(\.postgresText)
        let result: OpaquePointer? = withCStrings(texts) { pointers in
            PQexecPrepared(handle, statement.name, Int32(pointers.count), pointers, nil, nil, 0)
        }
        do {
            return try check(result, statement: statement.sql)
        } catch var error as PostgresError where error.sqlState == "26000" {
            // Prepared on this connection a moment ago, gone now: another server session answered.
            error.message +=
                " (a transaction pooler such as PgBouncer is in front of PostgreSQL: give Omnistock a direct URL"
                + " for session-level work, database.direct_url)"
            throw error
        }
    }

    /// Prepares `statement` on this connection unless it already is.
    func prepare(_ statement: PreparedStatement) throws {
        guard !preparedNames.contains(statement.name) else { return }
        _ = try check(PQprepare(handle, statement.name, statement.sql, 0, nil), statement: statement.sql)
        preparedNames.insert(statement.name)
    }

    /// Runs one or more statements without parameters (migrations, session settings).
    package func execute(_ sql: String) throws {
        _ = try check(PQexec(handle, sql), statement: sql)
    }

    /// Turns a libpq result into rows or a typed error, freeing it on error.
    func check(_ result: OpaquePointer?, statement: String) throws -> PostgresRows {
        guard let result else {
            throw PostgresError(kind: .connection, message: Self.errorMessage(handle), statement: statement)
        }
        let status = PQresultStatus(result)
        if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK || status == PGRES_COPY_IN
            || status == PGRES_EMPTY_QUERY
        {
            return PostgresRows(result: result)
        }
        let error = Self.error(from: result, connection: handle, statement: statement)
        PQclear(result)
        throw error
    }

    static func error(from result: OpaquePointer, connection: OpaquePointer, statement: String) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C")
        let lost = PQstatus(connection) != CONNECTION_OK
        let message = field("M") ?? errorMessage(connection)
        return PostgresError(
            kind: lost || sqlState == nil ? .connection : .server,
            sqlState: sqlState, message: message, detail: field("D"), hint: field("H"),
            constraint: field("n"), statement: statement)
    }

    static func errorMessage(_ handle: OpaquePointer) -> String {
        String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Quotes an identifier (a channel name for LISTEN, say) the way the server expects.
    package func quoteIdentifier(_ identifier: String) throws -> String {
        guard let quoted = PQescapeIdentifier(handle, identifier, identifier.utf8.count) else {
            throw PostgresError(kind: .client, message: Self.errorMessage(handle))
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    private static func addingConnectTimeout(_ conninfo: String, seconds: Int) -> String {
        guard !conninfo.contains("connect_timeout") else { return conninfo }
        if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://") {
            return conninfo + (conninfo.contains("?") ? "&" : "?") + "connect_timeout=\(seconds)"
        }
        return conninfo + " connect_timeout=\(seconds)"
    }
}

/// Calls `body` with C strings for `texts` (NULL for nil), valid only during the call.
func withCStrings<R>(_ texts: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let owned = texts.map { $0.map { strdup($0)! } }
    defer { for pointer in owned { free(pointer) } }
    return body(owned.map { $0.map { UnsafePointer($0) } })
}
