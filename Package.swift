// swift-tools-version:6.2
import PackageDescription

/// The same settings on every Swift target.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "omnistock",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "omnistock", targets: ["omnistock"])
    ],
    // Exact versions: `Package.resolved` stays out of git (the package copies on our build machines carry commit
    // ids that are not GitHub's), so the versions are pinned here and every clone resolves the same graph.
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
        .package(url: "https://github.com/ordo-one/TextTable", exact: "0.0.2"),
    ],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),

        // MARK: Infrastructure (nothing inventory-specific)
        /// Process launching, backoff, token bucket and the monotonic clock: one of each, for every module.
        .target(
            name: "Support",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PostgresClient",
            dependencies: [
                "CLibPQ",
                "Support",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CurlHTTP",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Domain
        /// The channel vocabulary: the `Channel` protocol, normalized events, levels, push results, capabilities.
        /// Adapters, the worker and the server depend on it; it depends on no implementation.
        .target(
            name: "ChannelVocabulary",
            dependencies: [
                .product(name: "HTTPTypes", package: "swift-http-types")
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Ledger",
            dependencies: [
                "PostgresClient",
                "Support",
                .product(name: "Logging", package: "swift-log"),
            ],
            /// The schema the migrations build, kept equal to them by `SchemaSnapshotTests`; read, never compiled.
            exclude: ["Migrations/schema.sql"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Channels",
            dependencies: [
                "ChannelVocabulary",
                "CurlHTTP",
                "Support",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Local HTTP servers that speak each channel's public API: used by tests, `omnistock simulate` and the demo.
        .target(
            name: "ChannelSimulators",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "CurlHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OmnistockConfig",
            dependencies: [
                "ChannelVocabulary",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: swiftSettings
        ),

        /// The daemon's services, each with one job: push lanes, order events, reconcile, leadership and the leader's jobs.
        .target(
            name: "Sync",
            dependencies: [
                "Support",
                "Ledger",
                "PostgresClient",
                "ChannelVocabulary",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Hummingbird routes: webhook ingress, admin API, metrics, health.
        .target(
            name: "Server",
            dependencies: [
                "Support",
                "Ledger",
                "PostgresClient",
                "ChannelVocabulary",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("openapi.json")],
            swiftSettings: swiftSettings
        ),

        /// The daemon composed in one place: push lanes, leadership and the leader's jobs, the HTTP server.
        .target(
            name: "OmnistockDaemon",
            dependencies: [
                "Sync", "Server", "Ledger", "PostgresClient", "ChannelVocabulary",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        /// `omnistock bench`: figures with same-run baselines (pgbench).
        .target(
            name: "Benchmarks",
            dependencies: [
                "Ledger", "PostgresClient", "ChannelVocabulary", "Channels", "CurlHTTP", "Sync", "Server", "ChannelSimulators", "Support",
                "OmnistockDaemon",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Application
        .executableTarget(
            name: "omnistock",
            dependencies: [
                "Support",
                "Ledger",
                "PostgresClient",
                "ChannelVocabulary",
                "Channels",
                "CurlHTTP",
                "Sync",
                "Server",
                "OmnistockDaemon",
                "ChannelSimulators",
                "Benchmarks",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                "OmnistockConfig",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "TextTable", package: "TextTable"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: ["PostgresClient", "Ledger", "Support"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresClientTests",
            dependencies: ["PostgresClient", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerTests",
            dependencies: ["Ledger", "PostgresClient", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OmnistockConfigTests",
            dependencies: ["OmnistockConfig", "ChannelVocabulary", "Channels"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SyncTests",
            dependencies: [
                "Sync", "OmnistockDaemon", "Ledger", "ChannelVocabulary", "Channels", "ChannelSimulators", "CurlHTTP", "TestSupport", "Support",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The `omnistock` binary end to end: CLI, daemon faults, replicas.
        .testTarget(
            name: "DaemonTests",
            dependencies: ["omnistock", "Ledger", "PostgresClient", "ChannelSimulators", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Sync", "Ledger", "ChannelVocabulary", "Channels", "ChannelSimulators", "CurlHTTP", "PostgresClient", "TestSupport",
                "Support",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CurlHTTPTests",
            dependencies: [
                "CurlHTTP",
                "Support",
                "ChannelSimulators",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ChannelsTests",
            dependencies: [
                "ChannelVocabulary", "Channels", "ChannelSimulators", "CurlHTTP",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The benchmarks of `omnistock bench`, run short.
        .testTarget(
            name: "BenchmarksTests",
            dependencies: [
                "Benchmarks", "ChannelVocabulary", "Channels", "ChannelSimulators", "CurlHTTP", "Sync", "PostgresClient", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
