import ChannelSimulators
import Foundation
import PostgresClient
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension FaultTests {
    /// Many idle inbound connections against a daemon with few descriptors: the daemon caps inbound
    /// connections below its open-file limit, so its database pool and channel connections keep working,
    /// even when every database connection must be opened again under the flood.
    @Test func aFloodOfIdleConnectionsDoesNotStopPushing() async throws {
        let database = try TestDatabase.make(migrated: false, maxConnections: 8)
        let setup = try await Setup(databaseURL: database.url, pool: database.pool)
        let daemon = try setup.daemon(openFileLimit: 256)
        let port = try #require(try await daemon.listeningPort(), "\(daemon.output)")
        try setup.stream(0..<200)
        #expect(try await setup.converged(), "before the flood")
        let flood = try Self.openIdleConnections(port: port, count: 400)
        defer { for descriptor in flood { close(descriptor) } }
        try await Task.sleep(for: .seconds(1))
        // Descriptors stay free for the pool and the channels (without the cap the flood took all 256; with it
        // 222–233 were seen, the daemon's own files varying from run to run).
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(daemon.pid)/fd").count
        #expect(open <= 256 - 8, "the daemon holds \(open) of its 256 descriptors")
        // The daemon's database connections are dropped: it needs new descriptors to reconnect.
        try setup.pool.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        try setup.stream(200..<600)
        #expect(try await setup.converged(timeout: 30), "pushes stopped under the flood: \(daemon.output.suffix(1500))")
        #expect(daemon.isRunning)
        daemon.send(SIGTERM)
        #expect(daemon.wait(timeout: 20) == 0)
        await setup.simulator.stop()
    }

    /// Connects `count` TCP sockets to the port and leaves them silent (as a slow client would).
    static func openIdleConnections(port: Int, count: Int) throws -> [Int32] {
        var limits = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits)
        if limits.rlim_cur < limits.rlim_max {
            limits.rlim_cur = limits.rlim_max
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits)
        }
        var sockets: [Int32] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { break }
            // Non-blocking: a connection the daemon has not accepted yet waits in its listen queue.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            sockets.append(fd)
        }
        return sockets
    }
}
