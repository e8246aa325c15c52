import Foundation
import OmnistockConfig

/// Open files the daemon may use, and how many of them inbound HTTP connections may take.
///
/// Every inbound connection, database connection and channel connection is a descriptor. Unbounded,
/// a flood of slow clients takes them all and the worker can no longer reach the database or the
/// channels. So the daemon raises its soft limit to the hard one, keeps room for its own connections,
/// and caps inbound connections at what is left (`server.max_connections` may lower it further).
struct DescriptorBudget {
    /// The open-file limit in force after raising it.
    let limit: Int
    /// Descriptors kept for the pool, the notification and leader connections, channel connections and files.
    let reserved: Int
    /// Inbound connections served at once.
    let inboundConnections: Int

    /// Descriptors kept besides the pool and channels: listener, leader, curl's own, log and data files.
    static let baseReserve = 64

    /// Raises the soft limit to the hard one and computes the budget for `configuration`.
    static func apply(to configuration: OmnistockConfiguration) -> DescriptorBudget {
        var limits = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits)
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limits = raised }
        }
        let limit = Int(clamping: limits.rlim_cur)
        let channelConnections = configuration.channels.reduce(0) { $0 + 2 * $1.concurrency }
        let reserved = baseReserve + configuration.database.poolSize + channelConnections
        let available = max(16, limit - reserved)
        let inbound = min(configuration.server.maxConnections ?? available, available)
        return DescriptorBudget(limit: limit, reserved: reserved, inboundConnections: inbound)
    }
}
