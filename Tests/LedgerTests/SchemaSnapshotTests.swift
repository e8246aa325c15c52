import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// `Sources/Ledger/Migrations/schema.sql` is the schema the migrations build, readable in one place: this test
/// migrates a fresh database, dumps its schema and compares.
///
/// After a migration is added or changed, regenerate the snapshot with
/// `OMNISTOCK_WRITE_SCHEMA=1 bash .ci/test --filter SchemaSnapshotTests` and commit it.
@Suite struct SchemaSnapshotTests {
    static let snapshotPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Ledger/Migrations/schema.sql").path
    static let regenerate = "OMNISTOCK_WRITE_SCHEMA=1 bash .ci/test --filter SchemaSnapshotTests"

    @Test func snapshotMatchesTheMigrations() throws {
        let database = try TestDatabase.make()
        let dumped = Self.normalised(try Self.dumpSchema(url: database.url))
        #expect(dumped.contains { $0.hasPrefix("CREATE TABLE public.outbox") }, "the dump holds no outbox table")

        if ProcessInfo.processInfo.environment["OMNISTOCK_WRITE_SCHEMA"] == "1" {
            let header = """
                -- The schema that migrations 1…\(Migration.latestVersion) build (pg_dump --schema-only, normalised).
                -- Generated: do not edit. Regenerate after changing a migration with
                --   \(Self.regenerate)
                -- SchemaSnapshotTests fails while this file and the migrations differ.

                """
            try (header + dumped.joined(separator: "\n") + "\n").write(toFile: Self.snapshotPath, atomically: true, encoding: .utf8)
            return
        }
        let stored = Self.normalised((try? String(contentsOfFile: Self.snapshotPath, encoding: .utf8)) ?? "")
        let difference = dumped.difference(from: stored)
        let missing = difference.removals.map { if case .remove(_, let line, _) = $0 { "- \(line)" } else { "" } }
        let added = difference.insertions.map { if case .insert(_, let line, _) = $0 { "+ \(line)" } else { "" } }
        #expect(
            difference.isEmpty,
            """
            schema.sql differs from the migrated schema (\(missing.count) lines only in schema.sql, \(added.count) only in \
            the database); first differences:
            \((missing.prefix(15) + added.prefix(15)).joined(separator: "\n"))
            Regenerate it with: \(Self.regenerate)
            """)
    }

    /// The schema of the database at `url` as `pg_dump` writes it.
    static func dumpSchema(url: String) throws -> String {
        let bin = ProcessInfo.processInfo.environment["OMNISTOCK_TEST_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString).sql").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let outcome = try ToolRunner.run(
            bin + "/pg_dump", ["--schema-only", "--no-owner", "--no-privileges", "--file", file, "--dbname", url])
        guard outcome.status == 0 else { throw DumpFailed(output: outcome.output) }
        return try String(contentsOfFile: file, encoding: .utf8)
    }

    /// The dump without what varies between runs and versions, all of it at the start of a line (text inside
    /// function bodies is indented and kept): comments (the version banner among them), `SET` and `set_config`
    /// statements, psql meta-commands (`\restrict` keys); and without blank lines.
    static func normalised(_ dump: String) -> [String] {
        dump.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }.filter { line in
            !line.trimmingCharacters(in: .whitespaces).isEmpty && !line.hasPrefix("--") && !line.hasPrefix("SET ")
                && !line.hasPrefix("\\") && !line.hasPrefix("SELECT pg_catalog.set_config")
        }
    }

    struct DumpFailed: Error, CustomStringConvertible {
        var output: String
        var description: String { "pg_dump failed: \(output)" }
    }
}
