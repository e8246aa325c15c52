import CLibPQ

extension PostgresConnection {
    /// Runs each execution (a prepared statement and its parameters), in order, in one transaction and one round
    /// trip: libpq's pipeline mode sends `BEGIN`, every execution and `COMMIT` before reading any result, and the
    /// server answers them together (https://www.postgresql.org/docs/current/libpq-pipeline-mode.html). Returns each
    /// execution's rows.
    ///
    /// All or nothing: when any of them fails, the server skips the rest up to the sync point, the transaction is
    /// rolled back and the first error is thrown. The batches meant here are small (a group commit's, tens of
    /// statements), so the connection stays in blocking mode: what is sent fits the socket buffers while the
    /// server answers.
    package func pipelinedTransaction(
        _ executions: [(statement: PreparedStatement, parameters: [any PostgresBindable])]
    ) throws
        -> [PostgresRows]
    {
        if preparesStatements { for (statement, _) in executions { try prepare(statement) } }
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(kind: .client, message: "cannot enter pipeline mode: \(Self.errorMessage(handle))")
        }
        var rows: [PostgresRows] = []
        var failure: (any Error)?
        do {
            try sendInPipeline("BEGIN", [])
            for (statement, parameters) in executions { try sendInPipeline(statement, parameters) }
            try sendInPipeline("COMMIT", [])
            guard PQpipelineSync(handle) == 1 else {
                throw PostgresError(kind: .connection, message: Self.errorMessage(handle), statement: "COMMIT")
            }
        } catch {
            failure = error
        }
        if failure == nil {
            // One result and a NULL per command (BEGIN, the executions, COMMIT), then the sync point.
            let commands = ["BEGIN"] + executions.map(\.statement.sql) + ["COMMIT"]
            for (index, command) in commands.enumerated() {
                do {
                    let result = try nextPipelineResult(statement: command)
                    if index > 0, index <= executions.count, let result { rows.append(result) }
                } catch {
                    if failure == nil { failure = error }
                    if (error as? PostgresError)?.kind == .connection, !isOpen { break }
                }
            }
            if isOpen, let sync = PQgetResult(handle) { PQclear(sync) }
        }
        if isOpen, PQexitPipelineMode(handle) != 1, failure == nil {
            failure = PostgresError(kind: .client, message: "cannot leave pipeline mode: \(Self.errorMessage(handle))")
        }
        if let failure {
            if isOpen, isInTransaction { try? execute("ROLLBACK") }
            throw failure
        }
        return rows
    }

    /// The result of the next command of the pipeline (nil for a command skipped after an earlier error), reading the
    /// NULL that ends it.
    private func nextPipelineResult(statement: String) throws -> PostgresRows? {
        guard let result = PQgetResult(handle) else {
            throw PostgresError(kind: .connection, message: Self.errorMessage(handle), statement: statement)
        }
        defer { _ = PQgetResult(handle).map { PQclear($0) } }
        if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
            PQclear(result)
            return nil
        }
        return try check(result, statement: statement)
    }

    private func sendInPipeline(_ sql: String, _ parameters: [any PostgresBindable]) throws {
        let texts = parameters.map(\.postgresText)
        let sent = withCStrings(texts) { pointers in
            PQsendQueryParams(handle, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        guard sent == 1 else { throw PostgresError(kind: .connection, message: Self.errorMessage(handle), statement: sql) }
    }

    private func sendInPipeline(_ statement: PreparedStatement, _ parameters: [any PostgresBindable]) throws {
        guard preparesStatements else { return try sendInPipeline(statement.sql, parameters) }
        let texts = parameters.map(\.postgresText)
        let sent = withCStrings(texts) { pointers in
            PQsendQueryPrepared(handle, statement.name, Int32(pointers.count), pointers, nil, nil, 0)
        }
        guard sent == 1 else {
            throw PostgresError(kind: .connection, message: Self.errorMessage(handle), statement: statement.sql)
        }
    }
}
