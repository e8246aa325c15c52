import Foundation
import Testing

/// The deploy files cannot be exercised here (no Docker engine, no systemd), so they are at least
/// parsed and every path they name is checked against the repository.
@Suite struct DeployFilesTests {
    let repository = ConfigurationTests.repository

    func read(_ path: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func dockerfileParsesAndCopiesExistingPaths() throws {
        let instructions = ["FROM", "RUN", "WORKDIR", "COPY", "USER", "ENV", "EXPOSE", "HEALTHCHECK", "ENTRYPOINT", "CMD", "ARG", "LABEL"]
        var logical: [String] = []
        var pending = ""
        for line in try read("deploy/docker/Dockerfile").split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty && (trimmed.isEmpty || trimmed.hasPrefix("#")) { continue }
            pending += trimmed.hasSuffix("\\") ? String(trimmed.dropLast()) + " " : trimmed
            if !trimmed.hasSuffix("\\") {
                logical.append(pending)
                pending = ""
            }
        }
        #expect(pending.isEmpty, "no dangling line continuation")
        let stages = logical.filter { $0.hasPrefix("FROM ") }
        #expect(stages.count == 2, "multi-stage: build, then runtime")
        for instruction in logical {
            let keyword = String(instruction.prefix { !$0.isWhitespace })
            #expect(instructions.contains(keyword), "unknown instruction \(keyword)")
            if keyword == "COPY", !instruction.contains("--from=") {
                let parts = instruction.split(separator: " ").dropFirst()
                for source in parts.dropLast() {
                    #expect(
                        FileManager.default.fileExists(atPath: repository.appendingPathComponent(String(source)).path), "COPY source \(source) exists"
                    )
                }
            }
            if keyword == "ENTRYPOINT" || keyword == "CMD" || keyword == "HEALTHCHECK" {
                let json = instruction.drop { $0 != "[" }
                #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil, "\(keyword) uses the exec (JSON) form")
            }
        }
        #expect(logical.contains { $0.contains("libpq5") && $0.contains("libcurl4") }, "runtime has libpq5 and libcurl4")
    }

    /// A resource bundle missing from the image only shows when a route opens it (the old `cp … || true` hid it):
    /// every bundle the build makes for one of our targets is copied by name, and no command's failure is swallowed.
    @Test func dockerfileCopiesEveryResourceBundleAndSwallowsNoFailure() throws {
        let dockerfile = try read("deploy/docker/Dockerfile")
        #expect(!dockerfile.contains("|| true"))
        let binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let ourTargets = Set(try FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent("Sources").path))
        let bundles = try FileManager.default.contentsOfDirectory(atPath: binDirectory.path).filter { name in
            guard name.hasPrefix("omnistock_"), name.hasSuffix(".resources") else { return false }
            return ourTargets.contains(String(name.dropFirst("omnistock_".count).dropLast(".resources".count)))
        }
        #expect(!bundles.isEmpty, "the Server module's openapi.json bundle is built next to the tests in \(binDirectory.path)")
        for bundle in bundles {
            #expect(dockerfile.contains("\"$bin/\(bundle)\" /out/"), "the Dockerfile copies \(bundle)")
        }
    }

    @Test func composeNamesTheDockerfileAndPostgres() throws {
        let compose = try read("deploy/docker/compose.yaml")
        #expect(compose.contains("dockerfile: deploy/docker/Dockerfile"))
        #expect(compose.contains("image: postgres:"))
        #expect(compose.contains("OMNISTOCK_DATABASE_URL"))
    }

    @Test func systemdUnitIsHardenedAndRunsUnprivileged() throws {
        let unit = try read("deploy/systemd/omnistock.service")
        var sections: [String: [String: String]] = [:]
        var current = ""
        for line in unit.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            if line.hasPrefix("[") {
                current = String(line)
                continue
            }
            let pair = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            #expect(pair.count == 2, "key=value: \(line)")
            if pair.count == 2 { sections[current, default: [:]][pair[0]] = pair[1] }
        }
        let service = sections["[Service]"] ?? [:]
        #expect(service["User"] == "omnistock")
        #expect(service["Restart"] == "on-failure")
        #expect(service["ProtectSystem"] == "strict")
        #expect(service["NoNewPrivileges"] == "yes")
        #expect(service["PrivateTmp"] == "yes")
        // systemd's default of 1,024 open files let a flood of slow clients starve the database pool.
        #expect((service["LimitNOFILE"].flatMap { Int($0) } ?? 0) >= 16_384)
        #expect(service["ExecStart"]?.hasSuffix("omnistock serve") == true)
        #expect(sections["[Install]"]?["WantedBy"] == "multi-user.target")
        let sysusers = try read("deploy/systemd/omnistock.sysusers")
        #expect(sysusers.contains("u omnistock"))
    }
}
