import Logging
import ServiceKit
import Storage
import Testing

/// `ServiceConfiguration` reads every setting from the environment and names what is wrong.
@Suite struct ServiceConfigurationTests {
    static let complete = [
        "CYCLADES_HTTP_HOST": "0.0.0.0",
        "CYCLADES_HTTP_PORT": "57111",
        "CYCLADES_PG_HOST": "db.example",
        "CYCLADES_PG_PORT": "6543",
        "CYCLADES_PG_DATABASE": "cyclades_bp",
        "CYCLADES_PG_USER": "inscription",
        "CYCLADES_PG_PASSWORD": "s3cret",
        "CYCLADES_PG_MAX_CONNECTIONS": "7",
        "CYCLADES_AMQP_URL": "amqp://inscription:pw@mq.example:5673/cyclades",
        "CYCLADES_INTERNAL_TOKEN_SECRET": Fixtures.secret,
        "CYCLADES_LOG_LEVEL": "debug",
    ]

    func environment(without key: String? = nil, _ changes: [String: String] = [:]) -> [String: String] {
        var environment = Self.complete.merging(changes) { $1 }
        if let key { environment[key] = nil }
        return environment
    }

    @Test func aCompleteEnvironmentGivesEveryValue() throws {
        let configuration = try ServiceConfiguration(serviceName: "inscription", environment: Self.complete)
        #expect(configuration.serviceName == "inscription")
        #expect(configuration.httpHost == "0.0.0.0")
        #expect(configuration.httpPort == 57111)
        #expect(configuration.database.host == "db.example")
        #expect(configuration.database.port == 6543)
        #expect(configuration.database.database == "cyclades_bp")
        #expect(configuration.database.user == "inscription")
        #expect(configuration.database.password == "s3cret")
        #expect(configuration.database.schema == "inscription", "the schema defaults to the role's name")
        #expect(configuration.database.maximumConnections == 7)
        #expect(configuration.amqp.host == "mq.example")
        #expect(configuration.amqp.port == 5673)
        #expect(configuration.amqp.vhost == "cyclades")
        #expect(configuration.amqp.user == "inscription")
        #expect(configuration.amqp.connectionName == "inscription")
        #expect(configuration.internalTokenSecret == Fixtures.secret)
        #expect(configuration.logLevel == .debug)
    }

    @Test func defaultsFillWhatIsOptional() throws {
        let minimal = [
            "CYCLADES_PG_USER": "reglementation", "CYCLADES_PG_PASSWORD": "pw",
            "CYCLADES_AMQP_URL": "amqp://u:p@127.0.0.1:5672/cyclades",
            "CYCLADES_INTERNAL_TOKEN_SECRET": Fixtures.secret,
        ]
        let configuration = try ServiceConfiguration(serviceName: "reglementation", environment: minimal)
        #expect(configuration.httpHost == "127.0.0.1")
        #expect(configuration.httpPort == 8080)
        #expect(configuration.database.host == "127.0.0.1")
        #expect(configuration.database.port == 5432)
        #expect(configuration.database.database == "cyclades")
        #expect(configuration.database.schema == "reglementation")
        #expect(configuration.logLevel == .info)
    }

    @Test(arguments: ["CYCLADES_PG_USER", "CYCLADES_PG_PASSWORD", "CYCLADES_AMQP_URL"])
    func aMissingSettingIsNamed(_ key: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(serviceName: "inscription", environment: environment(without: key))
        }
        guard case .missing(let named) = error else {
            Issue.record("expected .missing(\(key)), got \(String(describing: error))")
            return
        }
        #expect(named == key)
        #expect(error?.description == "missing setting \(key)")
    }

    @Test(arguments: [["CYCLADES_INTERNAL_TOKEN_SECRET": "too-short-for-hs256"], ["CYCLADES_INTERNAL_TOKEN_SECRET": ""]])
    func aShortTokenSecretIsRefused(_ changes: [String: String]) {
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(serviceName: "inscription", environment: environment(changes))
        }
        guard case .invalid(let key, let value) = error else {
            Issue.record("expected .invalid, got \(String(describing: error))")
            return
        }
        #expect(key == "CYCLADES_INTERNAL_TOKEN_SECRET")
        #expect(!value.contains("too-short"), "the secret itself is not echoed")
    }

    @Test func anAbsentTokenSecretIsRefused() {
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(
                serviceName: "inscription", environment: environment(without: "CYCLADES_INTERNAL_TOKEN_SECRET"))
        }
    }

    @Test(arguments: ["CYCLADES_HTTP_PORT", "CYCLADES_PG_PORT", "CYCLADES_PG_MAX_CONNECTIONS"])
    func aNonNumericNumberIsNamed(_ key: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(serviceName: "inscription", environment: environment([key: "eighty"]))
        }
        #expect(error?.description.contains(key) == true, "\(String(describing: error))")
    }

    @Test func aBrokerURLThatIsNotAMQPIsRefused() {
        #expect(throws: (any Error).self) {
            try ServiceConfiguration(
                serviceName: "inscription", environment: environment(["CYCLADES_AMQP_URL": "http://mq.example"]))
        }
    }
}
