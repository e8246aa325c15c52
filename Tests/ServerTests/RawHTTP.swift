import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Sends bytes to a loopback port over a plain TCP socket and returns the status code of the answer:
/// for requests an HTTP client library will not frame on demand (a chunked body, say).
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A `POST` whose body goes in chunks of `chunkSize` bytes (`Transfer-Encoding: chunked`).
    static func postChunked(port: Int, path: String, headers: [(String, String)], body: [UInt8], chunkSize: Int = 512) throws -> Int {
        var request = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        var bytes = Array((request + "\r\n").utf8)
        var offset = 0
        while offset < body.count {
            let chunk = body[offset..<min(offset + chunkSize, body.count)]
            bytes += Array((String(chunk.count, radix: 16) + "\r\n").utf8) + chunk + Array("\r\n".utf8)
            offset += chunk.count
        }
        bytes += Array("0\r\n\r\n".utf8)
        return try statusCode(of: exchange(port: port, bytes))
    }

    private static func exchange(port: Int, _ bytes: [UInt8]) throws -> [UInt8] {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect: \(errno)") }
        // The server may answer (413) and close before reading everything: a failed send is not an error.
        _ = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            answer += buffer[0..<count]
            if answer.count > 64 * 1024 { break }
        }
        return answer
    }

    private static func statusCode(of answer: [UInt8]) throws -> Int {
        let head = String(decoding: answer.prefix(64), as: UTF8.self)
        let parts = head.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw Failure(description: "no HTTP answer: \(head)")
        }
        return status
    }
}
