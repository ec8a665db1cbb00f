import Foundation
import Hummingbird
import ServiceKit
import Storage
import Testing
import TestSupport
@testable import Gateway

/// The OpenAPI document: valid OpenAPI 3.1 (`openapi-spec-validator`), and the same operations as
/// the router, no more, no fewer.
@Suite("Gateway OpenAPI document")
struct OpenAPITests {
    @Test("openapi-spec-validator accepts the document")
    func valid() async throws {
        let (status, sortie) = try await Python.executer(["-m", "openapi_spec_validator", DocumentOpenAPI.fichier.path])
        #expect(status == 0, "\(sortie)")
        #expect(sortie.contains("OK"), "\(sortie)")
    }

    @Test("every route under /api is documented and every documented operation is routed")
    func matchesRouter() async throws {
        let documentees = try await DocumentOpenAPI.operations()
        var environment = try TestStack.environment("gateway")
        environment["CYCLADES_BCRYPT_COST"] = "4"
        let runtime = await ServiceRuntime(configuration: try ServiceConfiguration(serviceName: "gateway", environment: environment))
        let router = try await GatewayService.makeRouter(runtime: runtime)
        let routees = Set(router.routes
            .filter { $0.path.description.hasPrefix("/api/") }
            .map { "\($0.method.rawValue) \(DocumentOpenAPI.normaliser($0.path.description))" })
        #expect(routees.count > 40, "\(routees.sorted())")
        #expect(routees.subtracting(documentees).isEmpty, "routed, not documented: \(routees.subtracting(documentees).sorted())")
        // A service's own routes may be documented under its forwarded prefix: the gateway
        // routes them by `/api/v1/<service>/{chemin}`, for the same method.
        let transmises = documentees.filter { operation in
            ServiceDirectory.services.contains { operation.contains(" /api/v1/\($0)/") } && !operation.hasSuffix("/{chemin}")
        }
        for operation in transmises {
            let parts = operation.split(separator: " ")
            let service = parts[1].split(separator: "/")[2]
            #expect(routees.contains("\(parts[0]) /api/v1/\(service)/{chemin}"), "\(operation) is not forwarded")
        }
        #expect(transmises.count >= 20, "the Inscription routes are documented: \(transmises.sorted())")
        let nonRoutees = documentees.subtracting(routees).subtracting(transmises)
        #expect(nonRoutees.isEmpty, "documented, not routed: \(nonRoutees.sorted())")
        for service in ServiceDirectory.services {
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                #expect(documentees.contains("\(method) /api/v1/\(service)/{chemin}"))
            }
        }
    }

    @Test("the gateway serves the document at /api/openapi.yaml")
    func served() async throws {
        try await Passerelle.avec { p in
            let reponse = try await p.appel(.get, "/api/openapi.yaml")
            #expect(reponse.status == .ok)
            #expect(reponse.headers[.contentType]?.hasPrefix("application/yaml") == true)
            #expect(reponse.texte == (try String(contentsOf: DocumentOpenAPI.fichier, encoding: .utf8)))
        }
    }
}

enum DocumentOpenAPI {
    static var fichier: URL {
        TestStack.repositoryDirectory.appendingPathComponent("Services/Gateway/OpenAPI/openapi.yaml")
    }

    /// A router path in the document's spelling: `:id` or `{id}` → `{id}`, `**` → `{chemin}`.
    static func normaliser(_ path: String) -> String {
        "/" + path.split(separator: "/").map { part -> String in
            if part == "**" { return "{chemin}" }
            if part.hasPrefix(":") { return "{\(part.dropFirst())}" }
            return String(part)
        }.joined(separator: "/")
    }

    /// `METHOD /path` of every operation of the document (path items given by `$ref` resolved).
    static func operations() async throws -> Set<String> {
        let script = """
            import json, sys, yaml
            document = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
            def resolve(item):
                while "$ref" in item:
                    node = document
                    for key in item["$ref"].lstrip("#/").split("/"):
                        node = node[key]
                    item = node
                return item
            operations = []
            for path, item in document["paths"].items():
                for method in resolve(item):
                    if method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
                        operations.append(method.upper() + " " + path)
            print(json.dumps(operations))
            """
        let (status, sortie) = try await Python.executer(["-c", script, fichier.path])
        guard status == 0, let line = sortie.split(separator: "\n").last,
              let operations = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String]
        else { throw TestStackError("reading the document failed: \(sortie)") }
        return Set(operations)
    }
}
