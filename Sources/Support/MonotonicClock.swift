import Dispatch

/// Seconds on a monotonic clock (uptime), the one clock of breakers, buckets, backoff and latency measurements.
///
/// Time is a number passed in: state machines take `now` as an argument, so tests pass any value instead of sleeping.
package enum MonotonicClock {
    /// Seconds since an arbitrary fixed point; never goes back.
    package static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
