import Dispatch

/// Seconds on a monotonic clock, for breakers, buckets and latency measurements.
public enum MonotonicClock {
    public static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
