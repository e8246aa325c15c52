import Foundation

/// Finds a free TCP port on 127.0.0.1, for a server started in another process that must be told its port
/// up front (the kernel may hand the port to someone else before that server binds it, which is rare).
package enum FreePort {
    /// No port could be bound.
    package struct Unavailable: Error, CustomStringConvertible {
        package var description: String { "no free port on 127.0.0.1" }
    }

    package static func find() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard descriptor >= 0, bound else { throw Unavailable() }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
