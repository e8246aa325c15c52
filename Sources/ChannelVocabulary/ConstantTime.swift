/// Comparison of secrets whose timing reveals nothing but their lengths: webhook signatures (the adapters) and
/// bearer-token digests (the server) go through it.
package enum ConstantTime {
    /// Whether `a` equals `b`, in time that depends only on their lengths.
    package static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
    }
}
