/// A misbehaviour a simulator shows on its next requests.
package enum SimulatorFault: Sendable, Hashable {
    /// Answer with this status (e.g. 500, 502, 429), with a `Retry-After` of that many seconds if given.
    case fail(status: Int, retryAfter: Int? = nil)
    /// The API's own throttling answer, asking to wait this many seconds (Shopify: a `THROTTLED` cost error).
    case throttle(seconds: Int)
    /// Answer as if the channel's value had changed since the caller read it (stale compare / 409).
    case stale
    /// Wait this long before handling the request normally.
    case hang(Duration)
    /// Handle the request at once but send the answer this much later: a slow read whose answer predates
    /// whatever happens at the channel meanwhile.
    case slowAnswer(Duration)
}
