/// What happened to one pushed level.
package enum PushOutcome: Sendable, Hashable {
    /// The channel accepted the value.
    case ok
    /// The channel holds a value that disagrees (stale compare-and-set, 409); `current` when it said which.
    case conflict(current: Int?)
    /// Throttled: push again after at least this many seconds.
    case retryAfter(seconds: Int)
    /// Rejected for good (until the value changes); an excerpt of the channel's answer.
    case permanent(String)
    /// Failed for now (5xx, timeout, connection): retry with backoff.
    case transient(String)

    /// The outcome a whole failed call gives each of its items.
    package init(_ error: ChannelError) {
        switch error.kind {
        case .retryAfter(let seconds): self = .retryAfter(seconds: seconds)
        case .transient: self = .transient(error.message)
        case .permanent, .malformed, .unsupported: self = .permanent(error.message)
        }
    }
}

/// The outcome of one push per level, in the order the levels were given.
package struct PushResult: Sendable, Hashable {
    /// One pushed level and its outcome.
    package struct Item: Sendable, Hashable {
        /// The level as given to ``Channel/pushLevels(_:)``.
        package var level: ChannelLevel
        /// What the channel did with it.
        package var outcome: PushOutcome
        /// A problem with the listing itself that an operator must settle, when the channel showed one.
        package var issue: ListingIssue?
        /// The channel's unseen sales left out of the value written (``ChannelLevel/unseenSales``); nil when the
        /// adapter wrote ``ChannelLevel/value`` as it was.
        package var unseenSales: Int?

        /// Creates an item.
        package init(level: ChannelLevel, outcome: PushOutcome, issue: ListingIssue? = nil, unseenSales: Int? = nil) {
            self.level = level
            self.outcome = outcome
            self.issue = issue
            self.unseenSales = unseenSales
        }
    }

    /// The items, in the order given.
    package var items: [Item]
    /// Targets the adapter sent again after a stale compare-and-set, with the channel's current value
    /// read back as the new base (the worker counts them in `omnistock_channel_compare_and_set_retries_total`).
    package var compareAndSetRetries: Int

    /// Creates a result.
    package init(items: [Item], compareAndSetRetries: Int = 0) {
        self.items = items
        self.compareAndSetRetries = compareAndSetRetries
    }

    /// The outcomes alone, in order.
    package var outcomes: [PushOutcome] { items.map(\.outcome) }
}
