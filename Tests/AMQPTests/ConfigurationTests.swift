import AMQP
import Testing

@Suite("AMQPConfiguration(url:)")
struct ConfigurationTests {
    @Test func parsesEveryPart() throws {
        let configuration = try AMQPConfiguration(
            url: "amqp://reader:s3cret@broker.example:5673/cyclades", connectionName: "svc")
        #expect(configuration.user == "reader")
        #expect(configuration.password == "s3cret")
        #expect(configuration.host == "broker.example")
        #expect(configuration.port == 5673)
        #expect(configuration.vhost == "cyclades")
        #expect(configuration.connectionName == "svc")
        #expect(configuration.heartbeatSeconds == 30)
    }

    @Test("default port and vhost", arguments: ["amqp://u:p@localhost", "amqp://u:p@localhost/"])
    func defaults(url: String) throws {
        let configuration = try AMQPConfiguration(url: url)
        #expect(configuration.port == 5672)
        #expect(configuration.vhost == "/")
        #expect(configuration.host == "localhost")
    }

    @Test func percentEncodedUserPasswordAndVhost() throws {
        let configuration = try AMQPConfiguration(url: "amqp://us%40er:p%3Ass%2Fw%40rd@h/v%2Fh")
        #expect(configuration.user == "us@er")
        #expect(configuration.password == "p:ss/w@rd")
        #expect(configuration.vhost == "v/h")
        // `%2F` alone is the default vhost "/".
        #expect(try AMQPConfiguration(url: "amqp://u:p@h/%2F").vhost == "/")
    }

    /// Decoded exactly once: an encoded `%` stays a literal `%` (a password "50%41" must not
    /// become "50A").
    @Test func decodesOnlyOnce() throws {
        let configuration = try AMQPConfiguration(url: "amqp://u%2541:50%2541@h/a%252Fb")
        #expect(configuration.user == "u%41")
        #expect(configuration.password == "50%41")
        #expect(configuration.vhost == "a%2Fb")
    }

    @Test func emptyPasswordIsAllowed() throws {
        #expect(try AMQPConfiguration(url: "amqp://guest:@h/x").password == "")
    }

    @Test("rejected URLs", arguments: [
        "amqps://u:p@h/v",  // TLS is not supported
        "http://u:p@h/v",
        "amqp://u@h/v",  // no password
        "amqp://h/v",  // no credentials
        "not a url",
    ])
    func rejects(url: String) {
        #expect {
            _ = try AMQPConfiguration(url: url)
        } throws: { error in
            guard case .invalidConfiguration = error as? AMQPError else { return false }
            return true
        }
    }

    @Test func redactedHidesThePassword() throws {
        let configuration = try AMQPConfiguration(url: "amqp://admin:hunter2@h:5672/cyclades")
        #expect(configuration.redacted == "amqp://admin@h:5672/cyclades")
        #expect(!configuration.redacted.contains("hunter2"))
    }
}
