import Foundation

/// PrestaShop's webservice list options read from a query string: `display`, `filter[field]`, `sort`, `limit`
/// and `date` (https://devdocs.prestashop-project.org/8/webservice/cheat-sheet/). Rows are text fields, as the
/// webservice's SQL compares them.
struct WebserviceListQuery {
    /// The decoded query parameters.
    let parameters: [String: String]

    /// Reads a raw (percent-encoded) query string.
    init(_ raw: String?) {
        var parameters: [String: String] = [:]
        for pair in (raw ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ") }
            guard let name = parts.first?.removingPercentEncoding else { continue }
            parameters[name] = parts.count > 1 ? parts[1].removingPercentEncoding ?? parts[1] : ""
        }
        self.parameters = parameters
    }

    /// Why the options cannot be applied (an unknown field), or nil.
    func problem(fields: Set<String>) -> String? {
        for name in parameters.keys where name.hasPrefix("filter[") {
            let field = String(name.dropFirst(7).dropLast())
            if !fields.contains(field) { return "Unable to filter by this field \(field)" }
        }
        if let display = parameters["display"], display != "full" {
            for field in Self.list(display) where !fields.contains(field) { return "Unable to display this field \"\(field)\"" }
        }
        return nil
    }

    /// The rows the filters keep, sorted and limited.
    func apply(_ rows: [[String: String]]) -> [[String: String]] {
        var kept = rows.filter { row in
            parameters.allSatisfy { name, value in
                guard name.hasPrefix("filter[") else { return true }
                return matches(row[String(name.dropFirst(7).dropLast())] ?? "", value, isDate: name.contains("date_"))
            }
        }
        if let sort = parameters["sort"] {
            let keys = Self.list(sort).map { key -> (String, Bool) in
                let ascending = !key.hasSuffix("_DESC")
                return (String(key.dropLast(ascending ? (key.hasSuffix("_ASC") ? 4 : 0) : 5)), ascending)
            }
            kept.sort { left, right in
                for (field, ascending) in keys {
                    let (a, b) = (left[field] ?? "", right[field] ?? "")
                    if a == b { continue }
                    let less = Int(a).flatMap { x in Int(b).map { x < $0 } } ?? (a < b)
                    return ascending ? less : !less
                }
                return false
            }
        }
        if let limit = parameters["limit"] {
            let numbers = limit.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            let (offset, count) = numbers.count == 2 ? (numbers[0], numbers[1]) : (0, numbers.first ?? kept.count)
            kept = Array(kept.dropFirst(max(offset, 0)).prefix(max(count, 0)))
        }
        return kept
    }

    /// The fields `display` asks for: every field for `full`, `id` alone without `display`.
    func displayed(_ fields: [String]) -> [String] {
        guard let display = parameters["display"] else { return ["id"] }
        return display == "full" ? fields : Self.list(display)
    }

    /// `[a|b]` any of, `[a,b]` between (inclusive), `[a]` equal (case-insensitive). A date field compares as a
    /// date-time only with `date=1` (https://github.com/PrestaShop/PrestaShop/issues/10822); without it, nothing matches.
    private func matches(_ value: String, _ filter: String, isDate: Bool) -> Bool {
        guard filter.hasPrefix("["), filter.hasSuffix("]") else { return false }
        if isDate && parameters["date"] != "1" { return false }
        let inner = String(filter.dropFirst().dropLast())
        if inner.contains("|") { return inner.split(separator: "|").contains { $0.lowercased() == value.lowercased() } }
        let bounds = inner.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if bounds.count == 2 {
            if let low = Int(bounds[0]), let high = Int(bounds[1]), let number = Int(value) { return low <= number && number <= high }
            return bounds[0] <= value && value <= bounds[1]
        }
        return inner.lowercased() == value.lowercased()
    }

    /// `[a,b,c]` → `["a", "b", "c"]`.
    static func list(_ text: String) -> [String] {
        text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
