import Foundation
import Ledger

/// An inline SVG line chart of outbox lag per channel over the last hour.
enum LagChart {
    static let colours = ["#0969da", "#1a7f37", "#cf222e", "#8250df", "#9a6700", "#bf3989"]

    static func svg(_ samples: [LagSample], now: Date, width: Double = 720, height: Double = 180) -> String {
        let left = 48.0, bottom = 24.0, top = 10.0
        let plotWidth = width - left - 10, plotHeight = height - top - bottom
        let peak = max(1, samples.map(\.lagSeconds).max() ?? 1)
        let start = now.addingTimeInterval(-3600)
        let channels = Array(Set(samples.map(\.channel))).sorted()
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"outbox lag\">",
            "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\" stroke=\"#999\"/>",
            "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\" stroke=\"#999\"/>",
            "<text x=\"4\" y=\"\(top + 10)\" font-size=\"11\">\(String(format: "%.1f s", peak))</text>",
            "<text x=\"4\" y=\"\(top + plotHeight)\" font-size=\"11\">0 s</text>",
            "<text x=\"\(left)\" y=\"\(height - 6)\" font-size=\"11\">−60 min</text>",
            "<text x=\"\(left + plotWidth - 30)\" y=\"\(height - 6)\" font-size=\"11\">now</text>",
        ]
        if samples.isEmpty {
            parts.append("<text x=\"\(left + 12)\" y=\"\(top + plotHeight / 2)\" font-size=\"12\" fill=\"#666\">no samples yet</text>")
        }
        for (index, channel) in channels.enumerated() {
            let colour = colours[index % colours.count]
            let points = samples.filter { $0.channel == channel }.map { sample -> String in
                let x = left + plotWidth * min(1, max(0, sample.sampledAt.timeIntervalSince(start) / 3600))
                let y = top + plotHeight * (1 - sample.lagSeconds / peak)
                return String(format: "%.1f,%.1f", x, y)
            }
            parts.append("<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>")
            // Dots, so samples stay visible where the line lies on the axis (no lag).
            for point in points {
                let xy = point.split(separator: ",")
                parts.append("<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"3\" fill=\"\(colour)\"/>")
            }
            parts.append(
                "<text x=\"\(left + 8 + Double(index) * 130)\" y=\"\(top + 12)\" font-size=\"11\" fill=\"\(colour)\">\(StatusPage.escape(channel))</text>"
            )
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }
}
