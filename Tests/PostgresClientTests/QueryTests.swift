import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite struct QueryTests {
    @Test func decodesEveryBasicType() throws {
        let database = try TestDatabase.make(migrated: false)
        let moment = Date(timeIntervalSince1970: 1_764_000_000.123456)
        try database.pool.query(
            "SELECT $1::int, $2::bigint, $3::text, $4::bool, $5::timestamptz, $6::int, $7::jsonb, $8::float8",
            [42, Int64(9_000_000_000), "zażółć", true, moment, Int?.none, PostgresJSON(["a": 1]), 2.5]
        ) { rows in
            let row = rows[0]
            #expect(try row.decode(Int.self, at: 0) == 42)
            #expect(try row.decode(Int64.self, at: 1) == 9_000_000_000)
            #expect(try row.decode(String.self, at: 2) == "zażółć")
            #expect(try row.decode(Bool.self, at: 3) == true)
            let date = try row.decode(Date.self, at: 4)
            #expect(abs(date.timeIntervalSince1970 - moment.timeIntervalSince1970) < 0.000_002)
            #expect(try row.decode(Int?.self, at: 5) == nil)
            #expect(throws: PostgresError.self) { try row.decode(Int.self, at: 5) }
            #expect(try row.decode(PostgresJSONValue<[String: Int]>.self, at: 6).value == ["a": 1])
            #expect(try row.decode(Double.self, at: 7) == 2.5)
        }
    }

    /// JIT compilation is off in our sessions (see `PostgresConnection`): it cost a claim of 250 targets five times
    /// what the query itself did.
    @Test func sessionsRunWithoutJIT() throws {
        let database = try TestDatabase.make(migrated: false)
        #expect(try database.pool.query("SHOW jit") { try $0[0].decode(String.self, at: 0) } == "off")
    }

    @Test func decodesColumnsByName() throws {
        let database = try TestDatabase.make(migrated: false)
        try database.pool.query("SELECT 7 AS seven, 'x' AS letter") { (rows: PostgresRows) throws in
            #expect(try rows[0].decode(Int.self, "seven") == 7)
            #expect(try rows[0].decode(String.self, "letter") == "x")
            #expect(throws: PostgresError.self) { try rows[0].decode(Int.self, "missing") }
        }
    }

    @Test func parametersAreNeverSplicedIntoSQL() throws {
        let database = try TestDatabase.make(migrated: false)
        try database.pool.execute("CREATE TABLE things (name text PRIMARY KEY)")
        let hostile = "x'); DROP TABLE things; --"
        try database.pool.execute("INSERT INTO things (name) VALUES ($1)", [hostile])
        let stored = try database.pool.query("SELECT name FROM things") { rows in try rows.map { try $0.decode(String.self, at: 0) } }
        #expect(stored == [hostile])
    }

    @Test func arrayParametersArriveElementByElement() throws {
        let database = try TestDatabase.make(migrated: false)
        let texts: [String?] = ["plain", "quote \" inside", "back\\slash", "\\\"", "", "NULL", nil, "zażółć 🧦", "a,b}{c"]
        let sent = try database.pool.query(
            "SELECT coalesce(element, '<null>') FROM unnest($1::text[]) WITH ORDINALITY AS a(element, position) ORDER BY position",
            [texts]
        ) { rows in try rows.map { try $0.decode(String.self, at: 0) } }
        #expect(sent == texts.map { $0 ?? "<null>" })
        #expect(
            try database.pool.query("SELECT array_length($1::int[], 1), $2::int[]", [[1, 2, 3], [Int]()]) { rows in
                try [rows[0].decode(Int.self, at: 0), rows[0].decode(String.self, at: 1).count]
            } == [3, 2])
    }

    @Test func serverErrorsCarrySQLStateAndDetail() throws {
        let database = try TestDatabase.make(migrated: false)
        try database.pool.execute("CREATE TABLE things (name text PRIMARY KEY)")
        try database.pool.execute("INSERT INTO things VALUES ('a')")
        do {
            try database.pool.execute("INSERT INTO things VALUES ('a')")
            Issue.record("a duplicate key was accepted")
        } catch let error as PostgresError {
            #expect(error.kind == .server)
            #expect(error.sqlState == SQLState.uniqueViolation)
            #expect(error.constraint == "things_pkey")
            #expect(error.detail?.contains("(name)=(a)") == true)
            #expect(!error.description.contains("(a)"), "description must not leak values")
        }
    }

    @Test func transactionRollsBackWhenBodyThrows() throws {
        struct Abort: Error {}
        let database = try TestDatabase.make(migrated: false)
        try database.pool.execute("CREATE TABLE counter (n int)")
        #expect(throws: Abort.self) {
            try database.pool.transaction { connection in
                try connection.query("INSERT INTO counter VALUES (1)")
                throw Abort()
            }
        }
        let count = try database.pool.query("SELECT count(*) FROM counter") { try $0[0].decode(Int.self, at: 0) }
        #expect(count == 0)
    }

    @Test func serializationFailuresAreRetried() throws {
        let database = try TestDatabase.make(migrated: false, maxConnections: 8)
        try database.pool.execute("CREATE TABLE counter (n int)")
        try database.pool.execute("INSERT INTO counter VALUES (0)")
        let attempts = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            try! database.pool.transaction(isolation: .serializable, maxAttempts: 50) { connection in
                attempts.increment()
                let n = try connection.query("SELECT n FROM counter")[0].decode(Int.self, at: 0)
                try connection.query("UPDATE counter SET n = $1", [n + 1])
            }
        }
        let final = try database.pool.query("SELECT n FROM counter") { try $0[0].decode(Int.self, at: 0) }
        #expect(final == 8, "every increment applied exactly once")
        #expect(attempts.value >= 8)
    }

    @Test func copyInStoresSpecialCharactersVerbatim() throws {
        let database = try TestDatabase.make(migrated: false)
        try database.pool.execute("CREATE TABLE lines (id int, body text)")
        let bodies = ["tab\there", "new\nline", "back\\slash", "carriage\rreturn", "\\N", ""]
        var rows: [[String?]] = bodies.enumerated().map { [String($0.offset), $0.element] }
        rows.append(["99", nil])
        let stored = try database.pool.withConnection { try $0.copyIn("COPY lines (id, body) FROM STDIN", rows: rows) }
        #expect(stored == rows.count)
        let back = try database.pool.query("SELECT body FROM lines ORDER BY id") { rows in
            try rows.map { try $0.decode(String?.self, at: 0) }
        }
        #expect(back == bodies + [nil])
    }

    @Test func copyInReportsBadDataAndStoresNothing() throws {
        let database = try TestDatabase.make(migrated: false)
        try database.pool.execute("CREATE TABLE numbers (n int)")
        #expect(throws: PostgresError.self) {
            try database.pool.withConnection { try $0.copyIn("COPY numbers (n) FROM STDIN", rows: [["1"], ["two"]]) }
        }
        // The connection is usable afterwards and nothing was stored.
        let count = try database.pool.query("SELECT count(*) FROM numbers") { try $0[0].decode(Int.self, at: 0) }
        #expect(count == 0)
    }

    @Test func poolNeverOpensMoreThanItsLimit() throws {
        let database = try TestDatabase.make(migrated: false, maxConnections: 2)
        let inUse = Counter()
        let peak = Counter()
        let done = DispatchGroup()
        let completed = Counter()
        for _ in 0..<12 {
            done.enter()
            Thread {
                try! database.pool.withConnection { connection in
                    peak.raise(to: inUse.increment())
                    try connection.query("SELECT pg_sleep(0.05)")
                    inUse.decrement()
                }
                completed.increment()
                done.leave()
            }.start()
        }
        done.wait()
        #expect(completed.value == 12)
        #expect(peak.value == 2, "twelve threads at once share exactly two connections")
        let backends = try database.pool.query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        ) { try $0[0].decode(Int.self, at: 0) }
        #expect(backends <= 2)
    }
}

/// A thread-safe counter for tests.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    @discardableResult func increment() -> Int {
        lock.withLock {
            count += 1
            return count
        }
    }
    func decrement() { lock.withLock { count -= 1 } }
    func raise(to candidate: Int) { lock.withLock { count = max(count, candidate) } }
}
