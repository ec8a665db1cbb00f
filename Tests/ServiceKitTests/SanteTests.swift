import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@Suite("/health is cheap")
struct SanteTests {
    @Test("a burst of /health calls opens one broker connection, not one per call, and every call still reports the broker")
    func uneConnexion() async throws {
        var environment = try TestStack.environment("reglementation")
        environment["CYCLADES_HEALTH_BROKER_TTL_MS"] = "600000"
        let runtime = await ServiceRuntime(configuration: try ServiceConfiguration(serviceName: "reglementation", environment: environment))
        try await TestStack.withRunningClient(runtime.database.client) {
            try await Application(router: runtime.router { _ in }).test(.router) { client in
                let statuts = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                    for _ in 0..<20 {
                        group.addTask {
                            let reponse = try await client.execute(uri: "/health", method: .get)
                            return (reponse.status.code, String(buffer: reponse.body))
                        }
                    }
                    var all: [(Int, String)] = []
                    for try await statut in group { all.append(statut) }
                    return all
                }
                #expect(statuts.count == 20)
                #expect(statuts.allSatisfy { $0.1.contains("\"broker\":true") }, "\(statuts.map(\.1).prefix(2))")
                let suivante = try await client.execute(uri: "/health", method: .get)
                #expect(String(buffer: suivante.body).contains("\"broker\":true"))
                #expect(await runtime.brokerProbe.attempts == 1, "one connection for 21 checks")
            }
        }
    }
}
