import ArgumentParser
import Foundation
import Ledger
import Sync
import TextTable

/// `omnistock inbox`: webhook events set aside after too many failed attempts, and putting them back in line.
struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox", abstract: "Show webhook events set aside after failing, or retry them.",
        subcommands: [List.self, Retry.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the events set aside, with their last error.")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingFailures {
                let runtime = try Runtime.start(options)
                defer { runtime.shutdown() }
                let events = try SetAsideEvents.list(from: runtime.pool)
                if json { return print(try JSONOutput.string(events)) }
                guard !events.isEmpty else { return print("no events set aside") }
                TextTable<SetAsideEvent> {
                    [
                        Column(title: "id", value: $0.id), Column(title: "channel", value: $0.channel),
                        Column(title: "event", value: $0.eventID), Column(title: "attempts", value: $0.attempts),
                        Column(title: "error", value: String(($0.error ?? "").prefix(80))),
                    ]
                }.print(events)
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put set-aside events back in line (after fixing their cause).")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "Inbox ids to retry (see `omnistock inbox list`).")
        var ids: [Int64] = []

        @Flag(help: "Retry every set-aside event.")
        var all = false

        func validate() throws {
            guard all != !ids.isEmpty else { throw ValidationError("name inbox ids or --all") }
        }

        func run() async throws {
            try await reportingFailures {
                let runtime = try Runtime.start(options)
                defer { runtime.shutdown() }
                let count = try SetAsideEvents.retry(ids: all ? nil : ids, in: runtime.pool)
                print("\(count) event\(count == 1 ? "" : "s") put back in line")
            }
        }
    }
}
