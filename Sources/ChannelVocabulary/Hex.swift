extension Sequence<UInt8> {
    /// The bytes as lowercase hexadecimal, two digits each (digests in idempotency keys, ids and stored fingerprints).
    package var lowercaseHex: String {
        map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
