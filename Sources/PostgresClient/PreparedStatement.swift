/// A statement that each connection parses and plans once (`PQprepare`) and afterwards only executes
/// (`PQexecPrepared`), for hot paths where planning costs as much as running.
///
/// Its name is derived from its text, so the same statement built anywhere shares one preparation per
/// connection. The text must keep its result columns for the connection's life (no DDL on what it reads
/// that changes them), as PostgreSQL refuses a prepared statement whose result shape changed.
package struct PreparedStatement: Sendable, Hashable {
    /// The SQL, with `$1`, `$2`, … parameters.
    package let sql: String
    /// The server-side name: `omnistock_` and a 64-bit FNV-1a hash of the text.
    let name: String

    package init(_ sql: String) {
        self.sql = sql
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        name = "omnistock_" + String(hash, radix: 16)
    }
}
