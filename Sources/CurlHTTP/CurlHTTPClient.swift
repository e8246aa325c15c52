import CCurl
import Dispatch
import Logging

/// An HTTP/1.1 and HTTP/2 client on libcurl's multi interface.
///
/// One serial Dispatch queue owns one multi handle; sockets are watched by Dispatch sources, so
/// no thread is spent per request and nothing polls. Connections are kept alive and reused between
/// requests to the same host. TLS certificates are always verified. Call ``shutdown()`` when done:
/// it fails every request still in flight with ``HTTPClientError/Kind/cancelled``.
package final class CurlHTTPClient: Sendable {
    /// The settings every request uses.
    package let configuration: HTTPClientConfiguration
    private let multi: CurlMulti
    private let logger: Logger

    /// Creates a client; it is ready at once.
    package init(configuration: HTTPClientConfiguration = HTTPClientConfiguration(), logger: Logger = Logger(label: "omnistock.curlhttp")) {
        self.configuration = configuration
        self.logger = logger
        self.multi = CurlMulti(maxCachedConnections: configuration.maxCachedConnections)
    }

    /// Sends `request` and calls `completion` on `callbackQueue` with the response or the error.
    /// - Returns: a handle that can cancel the request.
    @discardableResult
    package func execute(
        _ request: HTTPRequest,
        callbackQueue: DispatchQueue = .global(),
        completion: @escaping @Sendable (Result<HTTPResponse, HTTPClientError>) -> Void
    ) -> HTTPTransferHandle {
        start(request) { result in
            callbackQueue.async { completion(result) }
        }
    }

    /// Sends `request` and returns its response; cancelling the task cancels the request.
    package func execute(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let handle = HTTPTransferHandle(id: multi.reserveID(), multi: multi)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                start(request, id: handle.id) { continuation.resume(returning: $0) }
            }
        } onCancel: {
            handle.cancel()
        }
        return try result.get()
    }

    /// Fails every request in flight with a cancelled error and releases libcurl's resources;
    /// later requests fail at once. Blocks until that is done.
    package func shutdown() {
        multi.sync { multi.shutdown() }
    }

    deinit {
        let multi = multi
        multi.queue.async { multi.shutdown() }
    }

    @discardableResult
    private func start(
        _ request: HTTPRequest,
        id: UInt64? = nil,
        completion: @escaping @Sendable (Result<HTTPResponse, HTTPClientError>) -> Void
    ) -> HTTPTransferHandle {
        let id = id ?? multi.reserveID()
        let configuration = configuration
        let logger = logger
        multi.queue.async { [multi] in
            do throws(HTTPClientError) {
                let transfer = try CurlTransfer(id: id, request: request, configuration: configuration) { result in
                    if case .failure(let error) = result {
                        logger.debug("HTTP request failed", metadata: ["method": "\(request.method)", "error": "\(error)"])
                    }
                    completion(result)
                }
                multi.add(transfer)
            } catch {
                multi.release(id: id)
                completion(.failure(error))
            }
        }
        return HTTPTransferHandle(id: id, multi: multi)
    }
}

/// Identifies one request of a ``CurlHTTPClient`` so that it can be cancelled.
package struct HTTPTransferHandle: Sendable {
    let id: UInt64
    let multi: CurlMulti

    /// Aborts the request; its completion receives ``HTTPClientError/cancelled`` unless it already finished.
    package func cancel() {
        multi.queue.async { [multi, id] in multi.cancel(id: id) }
    }
}
