import CLibPQ

/// The rows a statement returned. Owns the libpq result and frees it when released.
package final class PostgresRows: Sequence {
    let result: OpaquePointer
    /// Number of rows.
    package let count: Int
    /// Rows inserted, updated or deleted by the statement (`PQcmdTuples`), 0 when not applicable.
    package let affectedRows: Int

    init(result: OpaquePointer) {
        self.result = result
        self.count = Int(PQntuples(result))
        self.affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    deinit { PQclear(result) }

    /// The index of a named column.
    package func columnIndex(_ name: String) throws -> Int32 {
        let index = PQfnumber(result, name)
        guard index >= 0 else {
            throw PostgresError(kind: .client, message: "no column named \(name) in the result")
        }
        return index
    }

    /// Row `index`; `index` must be below `count`.
    package subscript(index: Int) -> PostgresRow {
        PostgresRow(rows: self, index: Int32(index))
    }

    /// The first row, if any.
    package var first: PostgresRow? { count > 0 ? self[0] : nil }

    package func makeIterator() -> AnyIterator<PostgresRow> {
        var next = 0
        return AnyIterator {
            guard next < self.count else { return nil }
            defer { next += 1 }
            return self[next]
        }
    }
}

/// One row of a result; decode its columns by position or by name.
package struct PostgresRow {
    let rows: PostgresRows
    let index: Int32

    /// The raw text of a column, or nil for NULL.
    package func text(at column: Int32) -> String? {
        guard PQgetisnull(rows.result, index, column) == 0 else { return nil }
        return String(cString: PQgetvalue(rows.result, index, column))
    }

    /// Decodes column `column` (zero-based) as `T`; NULL is an error.
    package func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
        guard let text = text(at: Int32(column)) else {
            throw PostgresError(kind: .client, message: "column \(column) is NULL, expected \(T.self)")
        }
        return try T(postgresText: text)
    }

    /// Decodes column `column` as `T`, mapping NULL to nil.
    package func decode<T: PostgresDecodable>(_ type: T?.Type = T?.self, at column: Int) throws -> T? {
        guard let text = text(at: Int32(column)) else { return nil }
        return try T(postgresText: text)
    }

    /// Decodes the named column as `T`; NULL is an error.
    package func decode<T: PostgresDecodable>(_ type: T.Type = T.self, _ name: String) throws -> T {
        try decode(type, at: Int(rows.columnIndex(name)))
    }

    /// Decodes the named column as `T`, mapping NULL to nil.
    package func decode<T: PostgresDecodable>(_ type: T?.Type = T?.self, _ name: String) throws -> T? {
        try decode(type, at: Int(rows.columnIndex(name)))
    }
}
