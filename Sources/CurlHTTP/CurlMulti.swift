import CCurl
import Dispatch
import Synchronization

/// One libcurl multi handle driven by Dispatch: curl tells us which sockets to watch
/// (`CURLMOPT_SOCKETFUNCTION`) and when to wake it (`CURLMOPT_TIMERFUNCTION`); read/write
/// sources and a one-shot timer on `queue` call `curl_multi_socket_action` back.
///
/// Every member but the `Mutex`-guarded id reservation is used only on `queue`, which is what makes
/// the `@unchecked Sendable` sound.
/// The multi handle owns the connection cache, so connections outlive transfers and are reused.
final class CurlMulti: @unchecked Sendable {
    /// The serial queue that owns the multi handle, its sockets and its transfers.
    let queue = DispatchQueue(label: "omnistock.curlhttp.multi")
    private static let queueKey = DispatchSpecificKey<ObjectIdentifier>()
    private let multi: UnsafeMutableRawPointer
    private let timer: any DispatchSourceTimer
    private var transfers: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var sockets: [curl_socket_t: SocketWatch] = [:]
    /// Ids handed out but not yet added, with whether a cancel arrived first; the one member used off `queue`.
    private let reserved = Mutex<(last: UInt64, cancelled: [UInt64: Bool])>((0, [:]))
    private var isShutDown = false

    /// The read and write sources watching one socket.
    private struct SocketWatch {
        var read: (any DispatchSourceProtocol)?
        var write: (any DispatchSourceProtocol)?
    }

    init(maxCachedConnections: Int) {
        CurlGlobal.initializeOnce()
        queue.setSpecific(key: Self.queueKey, value: ObjectIdentifier(queue))
        multi = curl_multi_init()
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.setEventHandler { [unowned self] in
            self.socketAction(socket: CURL_SOCKET_TIMEOUT, events: 0)
        }
        timer.activate()
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxCachedConnections)
        _ = ccurl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, me)
        _ = ccurl_multi_setopt_socket_callback(multi) { _, socket, what, userdata, _ in
            Unmanaged<CurlMulti>.fromOpaque(userdata!).takeUnretainedValue().watch(socket: socket, what: what)
            return 0
        }
        _ = ccurl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, me)
        _ = ccurl_multi_setopt_timer_callback(multi) { _, milliseconds, userdata in
            Unmanaged<CurlMulti>.fromOpaque(userdata!).takeUnretainedValue().scheduleTimer(milliseconds: milliseconds)
            return 0
        }
    }

    /// A new transfer id; every id must then reach ``add(_:)`` or ``release(id:)``. Callable from any thread.
    func reserveID() -> UInt64 {
        reserved.withLock { state in
            state.last += 1
            state.cancelled[state.last] = false
            return state.last
        }
    }

    /// Forgets a reserved id whose transfer could not be created.
    func release(id: UInt64) {
        _ = reserved.withLock { $0.cancelled.removeValue(forKey: id) }
    }

    /// Starts a transfer; call on `queue`.
    func add(_ transfer: CurlTransfer) {
        dispatchPrecondition(condition: .onQueue(queue))
        let cancelledEarly = reserved.withLock { $0.cancelled.removeValue(forKey: transfer.id) } == true
        if isShutDown || cancelledEarly {
            transfer.fail(.cancelled)
            return
        }
        let code = curl_multi_add_handle(multi, transfer.easy)
        guard code == CURLM_OK else {
            transfer.fail(HTTPClientError(kind: .other, message: String(cString: curl_multi_strerror(code))))
            return
        }
        transfers[transfer.easy] = transfer
    }

    /// Aborts the transfer `id` with a cancelled error, or marks it to be refused if it has not started
    /// (nothing happens if it already finished); call on `queue`.
    func cancel(id: UInt64) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let transfer = transfers.values.first(where: { $0.id == id }) else {
            reserved.withLock { state in
                if state.cancelled[id] != nil { state.cancelled[id] = true }
            }
            return
        }
        remove(transfer).fail(.cancelled)
    }

    /// Runs `work` on `queue` and waits for it, or runs it at once when already on `queue`.
    func sync(_ work: () -> Void) {
        if DispatchQueue.getSpecific(key: Self.queueKey) == ObjectIdentifier(queue) {
            work()
        } else {
            queue.sync(execute: work)
        }
    }

    /// Fails every transfer in flight with a cancelled error and frees the multi handle; call on `queue`.
    func shutdown() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isShutDown else { return }
        isShutDown = true
        for transfer in Array(transfers.values) {
            remove(transfer).fail(.cancelled)
        }
        for watch in sockets.values {
            watch.read?.cancel()
            watch.write?.cancel()
        }
        sockets.removeAll()
        timer.cancel()
        curl_multi_cleanup(multi)
    }

    // MARK: Driving curl

    private func socketAction(socket: curl_socket_t, events: Int32) {
        guard !isShutDown else { return }
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, socket, events, &running)
        collectFinished()
    }

    private func collectFinished() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            guard let transfer = transfers[easy] else { continue }
            remove(transfer).finish(code)
        }
    }

    @discardableResult
    private func remove(_ transfer: CurlTransfer) -> CurlTransfer {
        transfers[transfer.easy] = nil
        _ = curl_multi_remove_handle(multi, transfer.easy)
        return transfer
    }

    private func watch(socket: curl_socket_t, what: Int32) {
        var watch = sockets.removeValue(forKey: socket) ?? SocketWatch()
        adjust(&watch.read, wanted: what == CURL_POLL_IN || what == CURL_POLL_INOUT, events: CURL_CSELECT_IN, socket: socket) {
            DispatchSource.makeReadSource(fileDescriptor: socket, queue: queue)
        }
        adjust(&watch.write, wanted: what == CURL_POLL_OUT || what == CURL_POLL_INOUT, events: CURL_CSELECT_OUT, socket: socket) {
            DispatchSource.makeWriteSource(fileDescriptor: socket, queue: queue)
        }
        if watch.read != nil || watch.write != nil {
            sockets[socket] = watch
        }
    }

    /// Creates the source when curl wants that direction watched and none exists; cancels it when curl no longer does.
    private func adjust(
        _ source: inout (any DispatchSourceProtocol)?, wanted: Bool, events: Int32, socket: curl_socket_t,
        make: () -> any DispatchSourceProtocol
    ) {
        if wanted, source == nil {
            let created = make()
            created.setEventHandler { [unowned self] in self.socketAction(socket: socket, events: events) }
            created.activate()
            source = created
        } else if !wanted, let existing = source {
            existing.cancel()
            source = nil
        }
    }

    private func scheduleTimer(milliseconds: Int) {
        // curl asks not to be driven from inside this callback: the timer fires on a later turn of the queue.
        if milliseconds < 0 {
            timer.schedule(deadline: .distantFuture)
        } else {
            timer.schedule(deadline: .now() + .milliseconds(milliseconds))
        }
    }
}

/// `curl_global_init`, which is not thread-safe, exactly once per process.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    static func initializeOnce() {
        _ = initialized
    }
}

/// The socket value curl passes to mean "the timeout expired, no socket".
private let CURL_SOCKET_TIMEOUT: curl_socket_t = -1
