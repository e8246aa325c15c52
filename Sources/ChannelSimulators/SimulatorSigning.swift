import Crypto
import Foundation

/// How the simulated channels sign webhooks (the sending side of what the adapters verify).
enum SimulatorSigning {
    /// Base64 HMAC-SHA256.
    static func hmacBase64(key: [UInt8], _ message: [UInt8]) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))).base64EncodedString()
    }
}
