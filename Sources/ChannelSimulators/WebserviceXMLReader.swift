import Foundation

/// Reads the one-resource XML document a PrestaShop webservice PUT carries
/// (`<prestashop><stock_available><quantity>5</quantity>…`), strictly as an XML parser does: text may hold the
/// five predefined entities, numeric character references and CDATA sections, and a bare `<` or `&` is an error.
enum WebserviceXMLReader {
    /// The element's child fields as text, or nil when the document is not well-formed or has no such element.
    static func fields(of element: String, in body: [UInt8]) -> [String: String]? {
        var text = Substring(String(decoding: body, as: UTF8.self))
        text = text.drop { $0.isWhitespace }
        if text.hasPrefix("<?xml") {
            guard let end = text.range(of: "?>") else { return nil }
            text = text[end.upperBound...]
        }
        guard let open = text.range(of: "<\(element)>"), let close = text.range(of: "</\(element)>"), open.upperBound <= close.lowerBound
        else { return nil }
        guard text.hasPrefix("<prestashop") || text.drop(while: { $0.isWhitespace }).hasPrefix("<prestashop") else { return nil }
        var inner = text[open.upperBound..<close.lowerBound]
        var fields: [String: String] = [:]
        while true {
            inner = inner.drop { $0.isWhitespace }
            if inner.isEmpty { return fields }
            guard inner.first == "<", let tagEnd = inner.firstIndex(of: ">") else { return nil }
            let tag = inner[inner.index(after: inner.startIndex)..<tagEnd]
            if tag.hasSuffix("/") {
                fields[String(tag.dropLast()).trimmingCharacters(in: .whitespaces)] = ""
                inner = inner[inner.index(after: tagEnd)...]
                continue
            }
            let name = String(tag.split(separator: " ").first ?? "")
            guard !name.isEmpty, let end = inner.range(of: "</\(name)>") else { return nil }
            guard let value = decode(inner[inner.index(after: tagEnd)..<end.lowerBound]) else { return nil }
            fields[name] = value
            inner = inner[end.upperBound...]
        }
    }

    /// Text content with entities and CDATA resolved; nil for a bare `<` or `&`.
    private static func decode(_ raw: Substring) -> String? {
        var result = ""
        var rest = raw
        while let index = rest.firstIndex(where: { $0 == "<" || $0 == "&" }) {
            result += rest[..<index]
            rest = rest[index...]
            if rest.hasPrefix("<![CDATA[") {
                guard let end = rest.range(of: "]]>") else { return nil }
                result += rest[rest.index(rest.startIndex, offsetBy: 9)..<end.lowerBound]
                rest = rest[end.upperBound...]
                continue
            }
            guard rest.first == "&", let semicolon = rest.firstIndex(of: ";") else { return nil }
            let entity = rest[rest.index(after: rest.startIndex)..<semicolon]
            switch entity {
            case "amp": result += "&"
            case "lt": result += "<"
            case "gt": result += ">"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let number =
                    entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                guard let scalar = number.flatMap({ Unicode.Scalar($0) }) else { return nil }
                result.unicodeScalars.append(scalar)
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }
}
