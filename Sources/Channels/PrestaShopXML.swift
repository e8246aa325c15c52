/// The XML documents PrestaShop's webservice takes as request bodies: it reads XML only
/// (https://devdocs.prestashop-project.org/8/webservice/tutorials/create-product-az, every write example).
enum PrestaShopXML {
    /// `<prestashop xmlns:xlink=…><element><name>value</name>…</element></prestashop>`, values escaped, fields in order.
    static func document(_ element: String, _ fields: [(String, String)]) -> [UInt8] {
        let children = fields.map { "<\($0.0)>\(escape($0.1))</\($0.0)>" }.joined()
        let text =
            #"<?xml version="1.0" encoding="UTF-8"?><prestashop xmlns:xlink="http://www.w3.org/1999/xlink">"#
            + "<\(element)>\(children)</\(element)></prestashop>"
        return Array(text.utf8)
    }

    /// Text with the characters XML reserves replaced by entities; control characters XML 1.0 cannot carry dropped.
    static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }
}
