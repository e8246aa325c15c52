import HTTPTypes

extension HTTPFields {
    /// The first value of the field `name`, or `nil`: the one an adapter reads when a sender repeats a field
    /// (swift-http-types' subscript joins repeated values with commas, which no signature or id survives).
    package func first(_ name: HTTPField.Name) -> String? {
        self[values: name].first
    }
}
