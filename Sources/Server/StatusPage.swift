import Foundation
import Ledger
import PostgresClient

/// `GET /`: a small HTML page for operators — channels (health, lag, circuit), recent pushes, open conflicts
/// and a chart of outbox lag over the last hour. Server-rendered, no scripts.
struct StatusPage {
    /// Everything the page shows, read in one go.
    struct Snapshot: Sendable {
        var status: SyncStatusReport
        var lag: [LagSample]
        var pushes: [RecentPush]
        var conflicts: [ConflictSummary]
        var now: Date
    }

    static func read(from pool: PostgresPool) throws -> Snapshot {
        Snapshot(
            status: try SyncStatusReport.read(from: pool), lag: try SyncStatusReport.lagHistory(from: pool),
            pushes: try OutboxStore.recentPushes(limit: 15, pool: pool), conflicts: try ConflictStore.newest(limit: 15, pool: pool),
            now: Date())
    }

    static func html(_ snapshot: Snapshot) -> String {
        let time = ISO8601DateFormatter()
        let channels = snapshot.status.channels.map { channel in
            let health = channel.circuit != "closed" ? "bad" : (channel.pendingTargets > 0 || channel.permanentErrors > 0 ? "warn" : "ok")
            return "<tr class=\"\(health)\"><td>\(escape(channel.channel))</td><td>\(escape(channel.kind))</td><td>\(health)</td>"
                + "<td>\(channel.pendingTargets)</td><td>\(channel.oldestPendingSeconds.map { String(format: "%.1f s", $0) } ?? "–")</td>"
                + "<td>\(channel.retrying)</td><td>\(channel.permanentErrors)</td><td>\(escape(channel.circuit))</td>"
                + "<td>\(channel.lastSuccessAt.map { time.string(from: $0) } ?? "–")</td><td>\(escape(String((channel.lastError ?? "").prefix(80))))</td></tr>"
        }.joined()
        let pushes = snapshot.pushes.map {
            "<tr><td>\(time.string(from: $0.at))</td><td>\(escape($0.channel))</td><td>\(escape($0.sku))</td><td>\(escape($0.scope))</td><td>\($0.value.map(String.init) ?? "–")</td></tr>"
        }.joined()
        let conflicts = snapshot.conflicts.map {
            "<tr><td>\(time.string(from: $0.createdAt))</td><td>\(escape($0.kind))</td><td>\(escape($0.channel ?? "–"))</td><td>\(escape($0.sku ?? "–"))</td><td>\(escape($0.location ?? "–"))</td></tr>"
        }.joined()
        let counts = snapshot.status
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Omnistock status</title>
            <meta http-equiv="refresh" content="15"><style>
            body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
            table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}
            tr.ok td:nth-child(3){color:#1a7f37}tr.warn td:nth-child(3){color:#9a6700}tr.bad td:nth-child(3){color:#cf222e;font-weight:bold}
            .muted{color:#666}svg{border:1px solid #ddd;background:#fafafa}
            </style></head><body>
            <h1>Omnistock status</h1>
            <p class="muted">\(time.string(from: snapshot.now)) · inbox \(counts.inboxBacklog) pending, \(counts.inboxFailed) failed,
            <span class="\(counts.inboxSetAside > 0 ? "bad" : "muted")">\(counts.inboxSetAside) set aside</span> ·
            \(counts.activeReservations) active reservations · \(counts.openConflicts.values.reduce(0, +)) open conflicts</p>
            <p class="muted">Unmatched: \(counts.unmatched.isEmpty ? "none" : counts.unmatched.map {
                "\(escape($0.channel)) \($0.skus) SKUs without a listing, \($0.items) items without a SKU" }.joined(separator: " · "))</p>
            <h2>Channels</h2><table><tr><th>channel</th><th>kind</th><th>health</th><th>pending</th><th>lag</th><th>retrying</th>
            <th>refused</th><th>circuit</th><th>last success</th><th>last error</th></tr>\(channels)</table>
            <h2>Outbox lag, last hour</h2>\(LagChart.svg(snapshot.lag, now: snapshot.now))
            <h2>Recent pushes</h2><table><tr><th>at</th><th>channel</th><th>SKU</th><th>scope</th><th>value</th></tr>\(pushes)</table>
            <h2>Open conflicts</h2><table><tr><th>at</th><th>kind</th><th>channel</th><th>SKU</th><th>location</th></tr>\(conflicts)</table>
            </body></html>
            """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
