import Contracts
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Inscription
import ServiceKit
import Storage
import TestSupport

/// The real Inscription service on a live socket (its schema on the test stack, its token
/// check), with a session of its own in the service's copy of the réglementation — fed through
/// the repository the service's consumer writes with, as the réglementation events would: the
/// session, its open step services, a published règlement (COIFFURE: one option group, two
/// facultative units) and two centres d'inscription.
struct InscriptionEnAval: Sendable {
    let url: String
    let database: Database
    let session: String
    /// A centre d'inscription: CFA habilité, public.
    let cfa: String
    /// Another centre d'inscription, of another établissement.
    let autre: String

    static func avec(
        services: [ServiceEtape] = [.inscriptionEtablissement, .inscriptionGrandPublic],
        _ body: @escaping @Sendable (InscriptionEnAval) async throws -> Void
    ) async throws {
        let configuration = try ServiceConfiguration(serviceName: InscriptionService.name, environment: TestStack.environment("inscription"))
        let runtime = await ServiceRuntime(configuration: configuration)
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(InscriptionService.self))
            let code = try await codeLibre(runtime.database)
            let session = try SessionCode(code)
            let (cfa, autre) = (uai(), uai())
            let referentiel = ReferentielRepository(database: runtime.database)
            try await runtime.database.transaction { connection in
                try await referentiel.enregistrer(
                    SessionOuverte(session: session, academie: "A01", libelle: "Session des pages d'inscription", ouvertePar: "test",
                                   debutEpreuves: "\(session.annee)-06-08"), on: connection)
                for service in services { try await referentiel.ouvrir(service, session: session, on: connection) }
                try await referentiel.enregistrer(publication(session), on: connection)
                try await referentiel.enregistrer(CentreEtat(
                    session: session, uai: try UAI(cfa), nom: "CFA des métiers de la coiffure", commune: "Paris", secteur: .public,
                    habilitationCFA: true, habilitationFPC: true, roles: [.inscription, .epreuve], gestionAutonome: false,
                    salles: [], revision: 1), on: connection)
                try await referentiel.enregistrer(CentreEtat(
                    session: session, uai: try UAI(autre), nom: "Lycée des autres", commune: "Lyon", secteur: .public,
                    habilitationCFA: true, habilitationFPC: false, roles: [.inscription], gestionAutonome: false,
                    salles: [], revision: 1), on: connection)
            }
            try await Application(router: try await runtime.router(for: InscriptionService.self)).test(.live) { client in
                try await body(InscriptionEnAval(
                    url: "http://localhost:\(client.port!)", database: runtime.database, session: code, cfa: cfa, autre: autre))
            }
        }
    }

    static func codeLibre(_ database: Database) async throws -> String {
        try await SessionsDeTest.reserver()
    }

    static func uai() -> String {
        let chiffres = String(format: "%07d", Int.random(in: 0...9_999_999))
        return chiffres + String(UAI.checkLetter(for: chiffres)!)
    }

    static func unite(_ code: String, _ libelle: String, coef: Int?, ccf: Bool = false) -> Unite {
        Unite(code: code, libelle: libelle, coefficient: coef, formes: [.ecrite], dureeMinutes: 120,
              modes: ccf ? [.apprentiCFAHabilite: .ccf, .fpcPublicHabilite: .ccf] : [:])
    }

    static func publication(_ session: SessionCode) -> ReglementPublie {
        let coiffure = Reglement(specialite: "COIFFURE", libelle: "Coiffure", version: 1, reference: "test", epreuves: [
            Epreuve(code: "E1", libelle: "Création couleur coupe coiffage", coefficient: 6, unites: [unite("U10", "Création couleur coupe coiffage", coef: 6)]),
            Epreuve(code: "E2", libelle: "Modification durable de la forme", coefficient: 5, unites: [unite("U20", "Modification durable de la forme", coef: 5)]),
            Epreuve(code: "E3", libelle: "Coiffure événementielle ou coupe homme", auChoix: true, coefficient: 3, unites: [
                unite("U30A", "Coiffure événementielle", coef: 3), unite("U30B", "Coupe homme et entretien pilo-facial", coef: 3),
            ]),
            Epreuve(code: "E4", libelle: "Sciences et technologies", coefficient: 3, unites: [unite("U40", "Sciences et technologies", coef: 3, ccf: true)]),
            Epreuve(code: "EF1", libelle: "Langue vivante", facultative: true, coefficient: nil, unites: [unite("UF1", "Langue vivante étrangère", coef: nil)]),
        ])
        return ReglementPublie(
            session: session, academie: "A01", version: 1, publiePar: "test",
            specialites: [SpecialiteOfferte(reglement: coiffure, optionsOffertes: [])],
            piecesJustificatives: [
                PieceJustificative(code: "IDENTITE", libelle: "Pièce d'identité", categories: CategorieCandidat.allCases, obligatoire: true),
            ])
    }

    /// A minimal PDF (the service sniffs `%PDF-`).
    static let pdf = Array("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
}
