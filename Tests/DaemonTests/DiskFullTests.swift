import CurlHTTP
import Foundation
import PostgresClient
import TestSupport
import Testing

/// The daemon's embedded database on a small filesystem that fills up: writes are answered `503` (retry
/// later), never `500`, and succeed again as soon as space is back, without restarting anything.
@Suite(.serialized, .enabled(if: geteuid() == 0, "mounting a small tmpfs needs root"))
struct DiskFullTests {
    @Test func aFullDiskIs503AndWritesResumeWhenSpaceIsBack() async throws {
        let root = NSTemporaryDirectory() + "omnistock-diskfull-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let mounted = try ToolRunner.run("/bin/mount", ["-t", "tmpfs", "-o", "size=200m,mode=755", "tmpfs", root])
        try #require(mounted.status == 0, "mount: \(mounted.output)")
        defer { _ = try? ToolRunner.run("/bin/umount", ["-l", root]) }
        let config = root + "/omnistock.toml"
        try """
        data_dir = "\(root)/data"
        [server]
        listen = "127.0.0.1:0"
        tokens = [ { token = "w", scope = "write" } ]
        [[locations]]
        code = "wh-main"
        kind = "warehouse"
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(["serve", "--config", config], environment: ["OMNISTOCK_DATABASE_URL": ""])
        let client = CurlHTTPClient()
        defer {
            daemon.send(SIGTERM)
            daemon.wait(timeout: 20)
            client.shutdown()
        }
        let port = try #require(try await daemon.listeningPort(timeout: 120), "\(daemon.output)")
        let catalog = try DaemonProcess.run(
            ["import", try csv(in: root), "--create", "--config", config], environment: ["OMNISTOCK_DATABASE_URL": ""])
        #expect(catalog.status == 0, "\(catalog.output)")

        func receive(_ key: String) async throws -> Int {
            var headers = HTTPHeaders()
            headers.add(name: "Authorization", value: "Bearer w")
            headers.add(name: "Idempotency-Key", value: key)
            headers.add(name: "Content-Type", value: "application/json")
            let body =
                #"{"type": "receive", "sku": "A", "location": "wh-main", "quantity": 1, "reference": "\#(String(repeating: "x", count: 4000))"}"#
            return try await client.execute(
                HTTPRequest(
                    method: .post, url: "http://127.0.0.1:\(port)/v1/movements", headers: headers, body: Array(body.utf8))
            ).status
        }
        #expect(try await receive("before") == 201)
        let filler = root + "/filler"
        _ = try ToolRunner.run("/bin/dd", ["if=/dev/zero", "of=\(filler)", "bs=1M", "count=400"])
        var statuses: Set<Int> = []
        for index in 0..<30 { statuses.insert(try await receive("full-\(index)")) }
        #expect(statuses.contains(503), "\(statuses)")
        #expect(!statuses.contains(500), "\(statuses)")
        try FileManager.default.removeItem(atPath: filler)
        #expect(try await receive("after") == 201)
        #expect(daemon.isRunning)
    }

    private func csv(in directory: String) throws -> String {
        let path = directory + "/stock.csv"
        try "sku,location,on_hand\nA,wh-main,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
