// swift-tools-version:6.2
import PackageDescription

/// Strict Swift 6 everywhere: complete concurrency checking comes with the language mode.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// One service = a testable library (`Services/<Name>/Sources/<Name>`, with its SQL migrations as
/// resources) + a tiny `@main` executable named `cyclades-<name>`.
func service(
    _ name: String, executable: String, dependencies: [Target.Dependency], resources: [Resource] = [],
    exclude: [String] = []
) -> [Target] {
    [
        .target(
            name: name,
            dependencies: dependencies,
            path: "Services/\(name)",
            exclude: ["Sources/\(name)Main", "README.md"] + exclude,
            sources: ["Sources/\(name)"],
            resources: [.copy("Migrations")] + resources,
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "\(name)Main",
            dependencies: [
                .target(name: name), "ServiceKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/\(name)/Sources/\(name)Main",
            swiftSettings: swiftSettings
        ),
    ]
}

let package = Package(
    name: "cyclades-bp",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cyclades-gateway", targets: ["GatewayMain"]),
        .executable(name: "cyclades-reglementation", targets: ["ReglementationMain"]),
        .executable(name: "cyclades-inscription", targets: ["InscriptionMain"]),
        .executable(name: "cyclades-organisation", targets: ["OrganisationMain"]),
        .executable(name: "cyclades-evaluation", targets: ["EvaluationMain"]),
        .executable(name: "cyclades-deliberation", targets: ["DeliberationMain"]),
        .executable(name: "cyclades-publication", targets: ["PublicationMain"]),
        .executable(name: "cyclades-load", targets: ["Load"]),
        .executable(name: "cyclades-messaging-probe", targets: ["MessagingProbe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
    ],
    targets: [
        // MARK: Shared kit
        .systemLibrary(
            name: "CRabbitMQ",
            path: "Shared/CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),
        .target(
            name: "AMQP",
            dependencies: [
                "CRabbitMQ",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/AMQP",
            swiftSettings: swiftSettings
        ),
        .target(name: "Domain", path: "Shared/Domain", swiftSettings: swiftSettings),
        .target(
            name: "Storage",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/Storage",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Messaging",
            dependencies: [
                "AMQP", "Storage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Messaging",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Contracts",
            dependencies: ["Domain", "Messaging"],
            path: "Shared/Contracts",
            exclude: ["asyncapi.yaml"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ServiceKit",
            dependencies: [
                "AMQP", "Messaging", "Storage", "Domain",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Shared/ServiceKit",
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CPangoCairo",
            path: "Shared/CPangoCairo",
            pkgConfig: "pangocairo",
            providers: [.apt(["libcairo2-dev", "libpango1.0-dev"])]
        ),
        .target(
            name: "Documents",
            dependencies: [
                "CPangoCairo",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Shared/Documents",
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        // The rules of award, pure: the Délibération service's engine (no I/O, exact arithmetic).
        .target(
            name: "MoteurDeliberation",
            dependencies: ["Domain"],
            path: "Services/Deliberation/Sources/Moteur",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Referentiel",
            dependencies: [
                "Contracts", "Domain", "Messaging", "Storage", "ServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/Referentiel",
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
    ]
    + service("Reglementation", executable: "cyclades-reglementation",
              dependencies: [
                  "ServiceKit", "Contracts", "Domain", "Messaging", "Storage",
                  .product(name: "Hummingbird", package: "hummingbird"),
                  .product(name: "PostgresNIO", package: "postgres-nio"),
                  .product(name: "Yams", package: "Yams"),
              ],
              // The shipped national pilot (`Pilote/pilote-national.yaml`).
              resources: [.copy("Pilote")])
    + service("Inscription", executable: "cyclades-inscription",
              dependencies: [
                  "ServiceKit", "Contracts", "Domain", "Messaging", "Storage", "Documents", "Referentiel",
                  .product(name: "Hummingbird", package: "hummingbird"),
                  .product(name: "PostgresNIO", package: "postgres-nio"),
                  .product(name: "Crypto", package: "swift-crypto"),
              ])
    + service("Evaluation", executable: "cyclades-evaluation",
              dependencies: [
                  "ServiceKit", "Contracts", "Domain", "Messaging", "Storage", "Documents", "Referentiel", "AMQP",
                  .product(name: "Hummingbird", package: "hummingbird"),
                  .product(name: "PostgresNIO", package: "postgres-nio"),
                  .product(name: "Crypto", package: "swift-crypto"),
                  .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
              ])
    + service("Organisation", executable: "cyclades-organisation",
              dependencies: [
                  "ServiceKit", "Contracts", "Domain", "Messaging", "Storage", "Documents", "Referentiel",
                  .product(name: "Hummingbird", package: "hummingbird"),
                  .product(name: "PostgresNIO", package: "postgres-nio"),
              ])
    + service("Deliberation", executable: "cyclades-deliberation",
              dependencies: [
                  "ServiceKit", "Contracts", "Domain", "Messaging", "Storage", "Referentiel", "MoteurDeliberation", "Documents",
                  .product(name: "Hummingbird", package: "hummingbird"),
                  .product(name: "PostgresNIO", package: "postgres-nio"),
              ],
              // The pure engine is its own target (MoteurDeliberation).
              exclude: ["Sources/Moteur"])
    + service("Publication", executable: "cyclades-publication",
              dependencies: [
                  "ServiceKit", "Contracts", "Domain", "Messaging", "Storage", "Referentiel", "Documents",
                  .product(name: "Hummingbird", package: "hummingbird"),
                  .product(name: "PostgresNIO", package: "postgres-nio"),
              ])
    + service("Gateway", executable: "cyclades-gateway",
              dependencies: [
                  "ServiceKit", "Domain", "Storage", "Messaging", "Contracts",
                  .product(name: "Hummingbird", package: "hummingbird"),
                  .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                  .product(name: "Mustache", package: "swift-mustache"),
                  .product(name: "AsyncHTTPClient", package: "async-http-client"),
                  .product(name: "JWTKit", package: "jwt-kit"),
                  .product(name: "PostgresNIO", package: "postgres-nio"),
                  .product(name: "Crypto", package: "swift-crypto"),
                  .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
              ],
              // Mustache pages, static assets, the OpenAPI document it serves.
              resources: [.copy("Templates"), .copy("Public"), .copy("OpenAPI")])
    + [
        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: ["AMQP", "Storage", "Messaging"],
            path: "Tests/Support",
            swiftSettings: swiftSettings
        ),
        // What every service's tests need to call its router as the gateway does.
        .target(
            name: "ServiceTestSupport",
            dependencies: [
                "TestSupport", "ServiceKit", "Messaging", "Domain",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/ServiceSupport",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MessagingProbe",
            dependencies: [
                "Messaging", "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/MessagingProbe",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "DomainTests", dependencies: ["Domain"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MoteurDeliberationTests", dependencies: ["MoteurDeliberation", "Domain"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "DocumentsTests", dependencies: ["Documents", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ContractsTests", dependencies: ["Contracts", "Messaging", "Domain", "TestSupport"],
            resources: [.copy("Golden")], swiftSettings: swiftSettings),
        .testTarget(
            name: "AMQPTests", dependencies: ["AMQP", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StorageTests", dependencies: ["Storage", "TestSupport", "Reglementation"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "MessagingTests",
            dependencies: ["Messaging", "Contracts", "TestSupport", "MessagingProbe"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                "ServiceKit", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ReglementationTests",
            dependencies: [
                "Reglementation", "TestSupport", "ServiceTestSupport", "ServiceKit", "Contracts", "Messaging",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Fichiers"],  // test files read by path (#filePath)
            swiftSettings: swiftSettings),
        .testTarget(
            name: "InscriptionTests",
            dependencies: [
                "Inscription", "TestSupport", "ServiceTestSupport", "ServiceKit", "Contracts", "Messaging", "Documents", "AMQP", "Storage", "Domain",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EvaluationTests",
            dependencies: [
                "Evaluation", "TestSupport", "ServiceTestSupport", "ServiceKit", "Contracts", "Messaging", "Documents", "AMQP",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "OrganisationTests",
            dependencies: [
                "Organisation", "Gateway", "Inscription", "TestSupport", "ServiceTestSupport", "ServiceKit", "Contracts", "Messaging", "Documents",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "DeliberationTests",
            dependencies: [
                "Deliberation", "MoteurDeliberation", "Referentiel", "TestSupport", "ServiceTestSupport", "ServiceKit", "Contracts",
                "Messaging", "Storage", "Domain",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PublicationTests",
            dependencies: [
                "Publication", "Referentiel", "TestSupport", "ServiceTestSupport", "ServiceKit", "Contracts",
                "Messaging", "Storage", "Domain", "AMQP",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ReferentielTests",
            dependencies: [
                "Referentiel", "TestSupport", "Contracts", "Messaging", "Storage", "Domain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "TestSupport", "ServiceKit", "Reglementation", "Inscription", "Organisation", "Evaluation", "Deliberation", "Publication", "Messaging", "Referentiel", "Contracts",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "Load",
            dependencies: [
                "AMQP", "Messaging", "Storage", "TestSupport", "Organisation", "Deliberation", "MoteurDeliberation", "Domain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/Load",
            exclude: ["c", "run", "run-inscription", "run-evaluation", "run-publication"],
            swiftSettings: swiftSettings
        ),
    ]
)
