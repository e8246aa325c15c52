import CurlHTTP
import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// What every channel simulator shares: the server, the request log, the fault queue, seeded
/// chaos, JSON answers and webhook delivery.
package final class SimulatorCore: Sendable {
    private let server = LocalServer()
    private let log = Mutex<[RecordedRequest]>([])
    private let faults = Mutex<[SimulatorFault]>([])
    private let chaos = Mutex<SimulatorChaos.Dealer?>(nil)
    private let boundPort = Mutex<Int?>(nil)
    private let client = CurlHTTPClient()

    /// Creates an idle core.
    package init() {}

    deinit {
        client.shutdown()
    }

    /// Serves `router` on 127.0.0.1 and returns the bound port.
    func start(router: Router<BasicRequestContext>, port: Int) async throws -> Int {
        let bound = try await server.start(router: router, port: port)
        boundPort.withLock { $0 = bound }
        return bound
    }

    /// Stops serving.
    func stop() async {
        await server.stop()
        boundPort.withLock { $0 = nil }
    }

    /// `http://127.0.0.1:<port>` once started.
    var baseURL: String {
        "http://127.0.0.1:\(boundPort.withLock { $0 } ?? 0)"
    }

    /// Every request received so far.
    var requests: [RecordedRequest] {
        log.withLock { $0 }
    }

    /// Forgets the request log.
    func clearRequests() {
        log.withLock { $0.removeAll() }
    }

    /// Queues `fault` for the next `count` requests.
    func inject(_ fault: SimulatorFault, count: Int) {
        faults.withLock { $0 += Array(repeating: fault, count: count) }
    }

    /// Makes a share of the following requests misbehave at random, as `settings` says (nil: no more chaos).
    func setChaos(_ settings: SimulatorChaos?) {
        chaos.withLock { $0 = settings.map(SimulatorChaos.Dealer.init) }
    }

    /// What the chaos in force has done so far (nil when there is none).
    var chaosTally: SimulatorChaos.Tally? {
        chaos.withLock { $0?.tally }
    }

    /// Records the request, takes the next queued fault or else a chaos draw, applies a `fail`/`hang`/`slowAnswer` fault,
    /// and otherwise calls `handle` with the request and any `stale`/`throttle` fault for the simulator to
    /// answer in its API's terms.
    func respond(
        to request: Request,
        throttled: @Sendable (Int) -> Response = { seconds in
            SimulatorCore.json(["error": "throttled"], status: 429, headers: ["Retry-After": String(seconds)])
        },
        handle: (RecordedRequest, SimulatorFault?) async throws -> Response
    ) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 16 << 20)
        let recorded = RecordedRequest(
            method: "\(request.method)", path: request.uri.path, query: request.uri.query,
            headers: request.headers.map { (String(describing: $0.name).lowercased(), $0.value) },
            body: Array(buffer.readableBytesView)
        )
        log.withLock { $0.append(recorded) }
        var fault: SimulatorFault? = faults.withLock { $0.isEmpty ? nil : $0.removeFirst() } ?? chaos.withLock { $0?.next() }
        switch fault {
        case .fail(let status, let retryAfter):
            return Self.json(["error": "injected failure"], status: status, headers: retryAfter.map { ["Retry-After": String($0)] } ?? [:])
        case .hang(let duration):
            try await Task.sleep(for: duration)
            fault = nil
        case .slowAnswer(let delay):
            let answer = try await handle(recorded, nil)
            try await Task.sleep(for: delay)
            return answer
        case .throttle(let seconds):
            return throttled(seconds)
        case .stale, nil:
            break
        }
        return try await handle(recorded, fault)
    }

    /// A JSON answer.
    static func json(_ value: Any, status: Int = 200, headers: [String: String] = [:], contentType: String = "application/json") -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("null".utf8)
        return bytes(Array(data), status: status, headers: headers.merging(["Content-Type": contentType]) { first, _ in first })
    }

    /// An answer with a raw body.
    static func bytes(_ body: [UInt8], status: Int, headers: [String: String] = [:]) -> Response {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let name = HTTPFields.Element.Name(name) { fields[name] = value }
        }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Parses a JSON body (or returns `nil`).
    static func parse(_ body: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    }

    /// POSTs a webhook to `url` and returns the receiver's status.
    func deliver(to url: String, headers: [String: String], body: [UInt8]) async throws -> Int {
        var fields = HTTPHeaders()
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { fields.add(name: name, value: value) }
        return try await client.execute(CurlHTTP.HTTPRequest(method: .post, url: url, headers: fields, body: body)).status
    }
}
