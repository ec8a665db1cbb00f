import Contracts
import Domain
import Foundation
import Testing
import TestSupport

/// Délibération's contracts against their golden JSON (see `GoldenContractTests`), the golden
/// files against the AsyncAPI document's schemas (`Shared/Contracts/asyncapi.yaml`).
@Suite("Délibération contracts match their golden JSON and the AsyncAPI document")
struct DeliberationContractTests {
    static let candidature = UUID(uuidString: "3c9a1f2e-7b4d-4e6a-8c1b-5d2e9f0a7b36")!

    @Test func resultatArrete() throws {
        try GoldenContractTests.check(ResultatArrete(
            session: try SessionCode("BP-2027-06-N"), candidature: Self.candidature, numero: "00012345", specialite: "BOULANGER",
            jury: "J01", decision: "ajourne", moyenne: "9.95", decisionDuJury: false,
            unites: [
                .init(unite: "U10", libelle: "Fabrication d'une commande", coefficient: 12, facultative: false, note: "12.50",
                      statut: "obtenue", sessionOrigine: nil, pointsDeJury: true),
                .init(unite: "U20", libelle: "Technologie professionnelle", coefficient: 3, facultative: false, note: "ABJ",
                      statut: "absence_justifiee", sessionOrigine: nil, pointsDeJury: false),
                .init(unite: "U30", libelle: "Sciences appliquées", coefficient: 3, facultative: false, note: "14.00",
                      statut: "benefice_reporte", sessionOrigine: "BP-2025-06-N", pointsDeJury: false),
            ],
            acquis: [.init(unite: "U10", note: "12.50", session: "BP-2027-06-N", obtenueLe: "2027-07-02", valableJusquAu: "2032-07-02")],
            reportables: [], attestationDeReussite: true, sessionDeRemplacement: true, revision: 1))
    }

    @Test func juryClos() throws {
        try GoldenContractTests.check(JuryClos(
            session: try SessionCode("BP-2027-06-N"), jury: "J01", specialite: "BOULANGER", candidats: 42, admis: 30, versionPV: 2,
            closPar: "president-jury-1",
            resultats: [.init(candidature: UUID(uuidString: "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f")!, numero: "N0042", decision: "admis",
                              revision: 2, notes: "moyenne=10.64;U10=12.50/obtenue;U20=ABJ/absence_justifiee;U30=14.00/benefice_reporte")]))
    }

    /// Every message the AsyncAPI document describes has a golden file, and the golden file (the
    /// envelope as published) is valid against the message's JSON schema (jsonschema, draft
    /// 2020-12, as openapi-spec-validator brings it).
    @Test("the AsyncAPI document's schemas accept every golden envelope it describes")
    func asyncAPI() async throws {
        let racine = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let document = racine.appendingPathComponent("Shared/Contracts/asyncapi.yaml").path
        let golden = racine.appendingPathComponent("Tests/ContractsTests/Golden").path
        let script = """
            import json, os, sys, yaml, jsonschema
            doc = yaml.safe_load(open(sys.argv[1]))
            assert doc.get("asyncapi", "").startswith("3."), "not an AsyncAPI 3 document"
            schemas = doc["components"]["schemas"]
            messages = doc["components"]["messages"]
            assert messages, "no message described"
            def resolve(node):
                if isinstance(node, dict):
                    if "$ref" in node:
                        return resolve(schemas[node["$ref"].split("/")[-1]])
                    return {k: resolve(v) for k, v in node.items()}
                if isinstance(node, list):
                    return [resolve(v) for v in node]
                return node
            for key, message in messages.items():
                name = message["name"]
                path = os.path.join(sys.argv[2], name + ".json")
                assert os.path.exists(path), name + ": no golden file"
                schema = resolve(message["payload"])
                jsonschema.Draft202012Validator.check_schema(schema)
                errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(path))))
                assert not errors, name + ": " + "; ".join(e.message for e in errors)
                print("OK", name)
            """
        let (status, sortie) = try await Python.executer(["-c", script, document, golden])
        #expect(status == 0, "\(sortie)")
        #expect(sortie.contains("OK deliberation.resultat.arrete") && sortie.contains("OK deliberation.jury.clos"), "\(sortie)")
    }
}
