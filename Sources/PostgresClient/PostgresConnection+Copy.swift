import CLibPQ

extension PostgresConnection {
    /// Streams rows into `COPY … FROM STDIN` (text format) and returns the number of rows the server stored.
    ///
    /// Each row is a list of column texts; nil is NULL. Tabs, newlines and backslashes are escaped here.
    @discardableResult
    package func copyIn(_ sql: String, rows: some Sequence<[String?]>) throws -> Int {
        _ = try check(PQexec(handle, sql), statement: sql)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        var sendError: PostgresError?
        func flush() {
            guard !buffer.isEmpty, sendError == nil else { return }
            let sent = buffer.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
            }
            if sent != 1 { sendError = PostgresError(kind: .connection, message: Self.errorMessage(handle)) }
            buffer.removeAll(keepingCapacity: true)
        }
        for row in rows {
            for (column, field) in row.enumerated() {
                if column > 0 { buffer.append(UInt8(ascii: "\t")) }
                Self.appendCopyField(field, to: &buffer)
            }
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= 1 << 16 { flush() }
            if sendError != nil { break }
        }
        flush()
        let ended = PQputCopyEnd(handle, sendError == nil ? nil : "client failed while sending")
        if ended != 1, sendError == nil {
            sendError = PostgresError(kind: .connection, message: Self.errorMessage(handle))
        }
        // Drain every result the COPY produced; the first error wins.
        var stored = 0
        var firstError: PostgresError? = sendError
        while let result = PQgetResult(handle) {
            do {
                stored = try check(result, statement: sql).affectedRows
            } catch let error as PostgresError {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return stored
    }

    static func appendCopyField(_ field: String?, to buffer: inout [UInt8]) {
        guard let field else {
            buffer.append(contentsOf: Array("\\N".utf8))
            return
        }
        for byte in field.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [92, 92])
            case UInt8(ascii: "\t"): buffer.append(contentsOf: [92, UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): buffer.append(contentsOf: [92, UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.append(contentsOf: [92, UInt8(ascii: "r")])
            default: buffer.append(byte)
            }
        }
    }
}
