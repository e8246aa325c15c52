/// Findings of a run, bounded: the first ``ReconcileReport/findingLimit`` are kept, the rest only counted.
struct FindingLog: Sendable {
    private(set) var items: [ReconcileFinding] = []
    private(set) var omitted = 0

    mutating func add(_ finding: ReconcileFinding) {
        if items.count < ReconcileReport.findingLimit { items.append(finding) } else { omitted += 1 }
    }

    mutating func merge(_ other: FindingLog) {
        for finding in other.items { add(finding) }
        omitted += other.omitted
    }
}
