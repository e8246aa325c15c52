import Foundation
import Synchronization

extension ShopifySimulator {
    /// The app's bulk query at the shop (https://shopify.dev/docs/api/usage/bulk-operations/queries).
    struct BulkRun {
        var id: String
        var fileName: String
        var lines: [UInt8]
        var objectCount: Int
        var rootObjectCount: Int
        var polls = 0

        var status: String { polls >= 2 ? "COMPLETED" : polls == 1 ? "RUNNING" : "CREATED" }
    }

    /// `bulkOperationRunQuery(query:)`: runs an `inventoryItems` query over the whole catalogue; one at a time.
    func runBulkQuery(_ text: String) -> [String: Any] {
        let refuse = { (message: String) -> [String: Any] in
            ["bulkOperation": NSNull(), "userErrors": [["field": ["query"], "message": message]]]
        }
        guard let operation = try? GraphQLOperation(parsing: text, variables: [:]), !operation.isMutation,
            operation.fields.count == 1, let root = operation.fields.first, root.name == "inventoryItems"
        else { return refuse("Invalid bulk query: the simulator runs one inventoryItems query.") }
        let levels = root.selection("nodes")?.selection("inventoryLevels") ?? root.selection("edges")?.selection("node")?.selection("inventoryLevels")
        let names = levels?.selection("nodes")?.selection("quantities")?.arguments["names"] as? [String] ?? ["available"]
        return state.withLock { state -> [String: Any] in
            if let running = state.bulk, running.status != "COMPLETED" {
                return refuse("A bulk query operation for this app and shop is already in progress: \(running.id).")
            }
            // JSONL: one object per line; nodes of a nested connection follow their parent with `__parentId`.
            var lines: [[String: Any]] = []
            var roots = 0
            for (sku, id) in state.variants.sorted(by: { $0.value < $1.value }) {
                let gid = "gid://shopify/InventoryItem/\(id)"
                lines.append(["id": gid, "sku": sku])
                roots += 1
                guard levels != nil else { continue }
                for location in locations {
                    let key = "\(gid)|\(location)"
                    guard let available = state.levels[key] else { continue }
                    lines.append([
                        "location": ["id": location], "__parentId": gid,
                        "quantities": Self.quantities(names, available: available, committed: state.committed[key] ?? 0),
                    ])
                }
            }
            let text =
                lines.compactMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }
                .map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n") + "\n"
            let number = state.nextBulkID
            state.nextBulkID += 1
            let run = BulkRun(
                id: "gid://shopify/BulkOperation/\(number)", fileName: "bulk-\(number).jsonl", lines: Array(text.utf8),
                objectCount: lines.count, rootObjectCount: roots)
            state.bulk = run
            return ["bulkOperation": ["id": run.id, "status": run.status], "userErrors": [[String: Any]]()]
        }
    }

    /// `currentBulkOperation`: the app's latest bulk query; each poll moves it on.
    func currentBulkOperation() -> Any {
        let base = core.baseURL
        return state.withLock { state -> Any in
            guard var run = state.bulk else { return NSNull() }
            run.polls += 1
            state.bulk = run
            let done = run.status == "COMPLETED"
            return [
                "id": run.id, "status": run.status, "errorCode": NSNull(),
                "objectCount": String(done ? run.objectCount : 0), "rootObjectCount": String(done ? run.rootObjectCount : 0),
                "url": done ? "\(base)/bulk-results/\(run.fileName)" as Any : NSNull(),
            ]
        }
    }
}
