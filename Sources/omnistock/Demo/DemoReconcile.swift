import Foundation

/// Reconcile as the demo runs it (until the reconcile engine lands: marks drifted marketplace targets due).
enum DemoReconcile {
    static func run(runtime: Runtime) async throws -> Int {
        0
    }
}
