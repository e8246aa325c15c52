import CCurl

/// One request in flight: its easy handle, the buffers libcurl fills, and who to tell when done.
/// Touched only on the owning ``CurlMulti``'s queue.
final class CurlTransfer {
    typealias Completion = (Result<HTTPResponse, HTTPClientError>) -> Void

    let id: UInt64
    let easy: UnsafeMutableRawPointer
    private let completion: Completion
    private let maxResponseSize: Int
    private var requestHeaders: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    private var status = 0
    private var headers = HTTPHeaders()
    private var body: [UInt8] = []
    private var exceededLimit = false

    /// Creates the easy handle and applies every option for `request`.
    init(id: UInt64, request: HTTPRequest, configuration: HTTPClientConfiguration, completion: @escaping Completion) throws(HTTPClientError) {
        guard let easy = curl_easy_init() else {
            throw HTTPClientError(kind: .other, message: "curl_easy_init failed")
        }
        self.id = id
        self.easy = easy
        self.completion = completion
        self.maxResponseSize = configuration.maxResponseSize
        errorBuffer.initialize(to: 0)
        do {
            try configure(request, configuration)
        } catch {
            release()
            throw error
        }
    }

    /// Reports the outcome of the transfer and frees the easy handle; call once, after removing it from the multi handle.
    func finish(_ code: CURLcode) {
        let result: Result<HTTPResponse, HTTPClientError>
        if code == CURLE_OK {
            result = .success(
                HTTPResponse(
                    status: status,
                    headers: headers,
                    body: body,
                    httpVersion: httpMajorVersion(),
                    newConnections: info(CURLINFO_NUM_CONNECTS)
                ))
        } else {
            result = .failure(error(for: code))
        }
        release()
        completion(result)
    }

    /// Fails the transfer with `error` and frees the easy handle; call after removing it from the multi handle.
    func fail(_ error: HTTPClientError) {
        release()
        completion(.failure(error))
    }

    // MARK: Options

    private func configure(_ request: HTTPRequest, _ configuration: HTTPClientConfiguration) throws(HTTPClientError) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_URL, request.url))
        try check(ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        try check(ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1))
        try check(ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile = configuration.caFile {
            try check(ccurl_easy_setopt_pointer(easy, CURLOPT_CAINFO, caFile))
        }
        try check(ccurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS))
        try check(ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.wholeMilliseconds))
        try check(ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, (request.timeout ?? configuration.totalTimeout).wholeMilliseconds))
        try check(ccurl_easy_setopt_off_t(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseSize)))
        try check(ccurl_easy_setopt_long(easy, CURLOPT_FORBID_REUSE, configuration.reuseConnections ? 0 : 1))
        try check(ccurl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_ACCEPT_ENCODING, ""))
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_USERAGENT, configuration.userAgent))
        try configureMethod(request)
        try configureHeaders(request.headers)
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me))
        try check(
            ccurl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
                return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
            })
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me))
        try check(
            ccurl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
                transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
                return size * count
            })
    }

    private func configureMethod(_ request: HTTPRequest) throws(HTTPClientError) {
        switch request.method {
        case .get where request.body == nil:
            try check(ccurl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case .head:
            try check(ccurl_easy_setopt_long(easy, CURLOPT_NOBODY, 1))
        default:
            if request.method != .post {
                try check(ccurl_easy_setopt_pointer(easy, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
            }
            if request.body != nil || request.method == .post {
                let body = request.body ?? []
                try check(ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
                // COPYPOSTFIELDS copies the bytes, so the buffer need not outlive this call;
                // an empty body still needs a non-null pointer, of which curl reads 0 bytes.
                let code = (body.isEmpty ? [0] : body).withUnsafeBufferPointer { buffer in
                    ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, buffer.baseAddress)
                }
                try check(code)
            }
        }
    }

    private func configureHeaders(_ headers: HTTPHeaders) throws(HTTPClientError) {
        // Suppress curl's defaults that the caller did not ask for.
        var lines = ["Expect:"]
        if headers["Content-Type"] == nil { lines.append("Content-Type:") }
        lines += headers.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }
        for line in lines {
            guard let appended = curl_slist_append(requestHeaders, line) else {
                throw HTTPClientError(kind: .other, message: "curl_slist_append failed")
            }
            requestHeaders = appended
        }
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, requestHeaders))
    }

    private func check(_ code: CURLcode) throws(HTTPClientError) {
        guard code == CURLE_OK else { throw error(for: code) }
    }

    // MARK: Callbacks

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= maxResponseSize else {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    private func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        if line.hasPrefix("HTTP/") {
            // A new response starts (after 100 Continue or a redirect): keep only the last one's headers.
            headers = HTTPHeaders()
            status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...]).trimmingWhitespace()
            headers.add(name: name, value: value)
        }
    }

    // MARK: Results

    private func info(_ key: CURLINFO) -> Int {
        var value = 0
        _ = ccurl_easy_getinfo_long(easy, key, &value)
        return value
    }

    private func httpMajorVersion() -> Int {
        switch info(CURLINFO_HTTP_VERSION) {
        case CURL_HTTP_VERSION_2_0: 2
        case CURL_HTTP_VERSION_3: 3
        default: 1
        }
    }

    private func error(for code: CURLcode) -> HTTPClientError {
        let message = String(cString: curl_easy_strerror(code))
        let detail = errorBuffer.pointee == 0 ? nil : String(cString: errorBuffer)
        let kind: HTTPClientError.Kind
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .connect
        case CURLE_FILESIZE_EXCEEDED:
            kind = .tooLarge
        case CURLE_WRITE_ERROR where exceededLimit:
            kind = .tooLarge
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            kind = .tls
        default:
            kind = .other
        }
        return HTTPClientError(kind: kind, message: message, detail: detail)
    }

    private func release() {
        curl_easy_cleanup(easy)
        curl_slist_free_all(requestHeaders)
        requestHeaders = nil
        errorBuffer.deallocate()
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CR and LF.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
