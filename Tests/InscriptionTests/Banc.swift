import Contracts
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Inscription
import Messaging
import PostgresNIO
import ServiceKit
import ServiceTestSupport
import Storage
import TestSupport

/// The Inscription service on its real schema (role `inscription` of the test stack), called
/// through its router as the gateway would, with signed internal tokens. Each test works in a
/// session of its own, whose réglementation copy it feeds through the service's own handlers'
/// repository (the same code the consumer runs).
struct Banc: Sendable {
    let runtime: ServiceRuntime
    let client: any TestClientProtocol
    let session: String
    /// A centre d'inscription: CFA habilité, public, FPC habilité, gestion autonome.
    let cfa: String
    /// A second centre d'inscription (private, not habilitated).
    let prive: String

    var database: Database { runtime.database }
    var referentiel: ReferentielRepository { ReferentielRepository(database: database) }

    static func avecService(
        services: [ServiceEtape] = [.inscriptionEtablissement, .inscriptionGrandPublic],
        _ body: @escaping @Sendable (Banc) async throws -> Void
    ) async throws {
        let configuration = try ServiceConfiguration(serviceName: InscriptionService.name, environment: TestStack.environment("inscription"))
        let runtime = await ServiceRuntime(configuration: configuration)
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(InscriptionService.self))
            let code = try await Self.codeLibre(runtime.database)
            let cfa = UAIs.valide(), prive = UAIs.valide()
            let referentiel = ReferentielRepository(database: runtime.database)
            let session = try SessionCode(code)
            try await runtime.database.transaction { connection in
                try await referentiel.enregistrer(
                    SessionOuverte(session: session, academie: "A01", libelle: "Session de test", ouvertePar: "test",
                                   debutEpreuves: "\(session.annee)-06-08"), on: connection)
                for service in services { try await referentiel.ouvrir(service, session: session, on: connection) }
                try await referentiel.enregistrer(Reglements.publication(session, version: 1), on: connection)
                try await referentiel.enregistrer(CentreEtat(
                    session: session, uai: try UAI(cfa), nom: "CFA des métiers de bouche", commune: "Paris", secteur: .public,
                    habilitationCFA: true, habilitationFPC: true, roles: [.inscription, .epreuve], gestionAutonome: true,
                    salles: [Salle(nom: "A1", places: 30)], revision: 1), on: connection)
                try await referentiel.enregistrer(CentreEtat(
                    session: session, uai: try UAI(prive), nom: "Institut privé Saint-Honoré", commune: "Lyon", secteur: .prive,
                    habilitationCFA: false, habilitationFPC: false, roles: [.inscription], gestionAutonome: false,
                    salles: [], revision: 1), on: connection)
            }
            let app = Application(router: try await runtime.router(for: InscriptionService.self))
            try await app.test(.router) { client in
                try await body(Banc(runtime: runtime, client: client, session: code, cfa: cfa, prive: prive))
            }
        }
    }

    static func codeLibre(_ database: Database) async throws -> String {
        try await SessionsDeTest.reserver()
    }

    typealias Reponse = ReponseService

    /// An établissement of this bench.
    static func etablissement(_ uai: String) -> (Role, Set<String>) { (.etablissement, ["uai:\(uai)"]) }

    func appel(
        _ method: HTTPRequest.Method, _ uri: String, _ role: Role? = .gestionnaire, scopes: Set<String> = [],
        sujet: String = "gestionnaire-test", json: String? = nil, corps: [UInt8]? = nil, contentType: String? = nil
    ) async throws -> Reponse {
        try await client.appelService(
            method, uri, identite: role.map { InternalIdentity(subject: sujet, role: $0, scopes: scopes) }, tokens: runtime.tokens,
            contentType: contentType ?? json.map { _ in "application/json" },
            corps: corps.map { ByteBuffer(bytes: $0) } ?? json.map { ByteBuffer(string: $0) })
    }

    /// As the établissement `uai`.
    func etab(_ method: HTTPRequest.Method, _ uri: String, _ uai: String, json: String? = nil, corps: [UInt8]? = nil) async throws -> Reponse {
        try await appel(method, uri, .etablissement, scopes: ["uai:\(uai)"], sujet: "etab-\(uai)", json: json, corps: corps)
    }

    /// Creates a candidature (as the établissement of its UAI, or as `role`) and returns it.
    func creer(_ saisie: String, _ role: Role = .gestionnaire, scopes: Set<String> = [], sujet: String = "gestionnaire-test") async throws -> Candidature {
        let reponse = try await appel(.post, "/v1/sessions/\(session)/candidatures", role, scopes: scopes, sujet: sujet, json: saisie)
        guard reponse.status == .created else { throw TestStackError("candidature not created: \(reponse.status) \(reponse.texte)") }
        return try reponse.json(Candidature.self)
    }

    func valider(_ id: UUID, _ role: Role = .gestionnaire, scopes: Set<String> = [], sujet: String = "gestionnaire-test") async throws -> Reponse {
        try await appel(.post, "/v1/candidatures/\(id.uuidString)/validation", role, scopes: scopes, sujet: sujet)
    }

    /// Events of `type` written for `aggregate`, decoded, oldest first.
    func evenements<P: MessageContract>(_ type: P.Type, aggregate: UUID) async throws -> [P] {
        let rows = try await database.query(SQL.query(
            "SELECT convert_from(envelope, 'UTF8') FROM \(database.table("outbox")) WHERE type = $1 AND aggregate = $2 ORDER BY position",
            P.type, aggregate.uuidString))
        var result: [P] = []
        for try await texte in rows.decode(String.self) {
            result.append(try MessageCoding.decoder().decode(Envelope<P>.self, from: Data(texte.utf8)).payload)
        }
        return result
    }
}

/// Candidature bodies for tests.
enum Saisies {
    static func identite(nom: String = "Martin", prenoms: String = "Léa Marie", naissance: String = "2005-03-14", ine: String? = INEs.nouveau()) -> String {
        let ineJSON = ine.map { #""\#($0)""# } ?? "null"
        return #"{"ine":\#(ineJSON),"nomFamille":"\#(nom)","prenoms":"\#(prenoms)","sexe":"F","dateNaissance":"\#(naissance)","communeNaissance":"Lyon","adresse":"3 rue des Lilas","codePostal":"69003","commune":"Lyon","courriel":"lea.martin@exemple.fr","telephone":"06 12 34 56 78"}"#
    }

    static func candidature(
        categorie: String = "apprenti", uai: String?, specialite: String = "COIFFURE", options: [String] = ["U30A"],
        facultatives: [String] = [], forme: String = "globale", benefices: String = "[]", dispenses: String = "[]",
        identite: String = Saisies.identite(), extra: String = ""
    ) -> String {
        let uaiJSON = uai.map { #""\#($0)""# } ?? "null"
        let liste: ([String]) -> String = { "[" + $0.map { #""\#($0)""# }.joined(separator: ",") + "]" }
        return #"{"candidat":\#(identite),"categorie":"\#(categorie)","uai":\#(uaiJSON),"specialite":"\#(specialite)","options":\#(liste(options)),"facultatives":\#(liste(facultatives)),"forme":"\#(forme)","benefices":\#(benefices),"dispenses":\#(dispenses)\#(extra)}"#
    }
}

/// The test règlements: COIFFURE (an option group, two facultative units, CCF for habilitated
/// categories on U40-U60) and BOULANGER (offered nowhere in this académie: not published).
enum Reglements {
    static func unite(_ code: String, _ libelle: String, coef: Int?, ccf: Bool = false) -> Unite {
        Unite(code: code, libelle: libelle, coefficient: coef, formes: [.ecrite], dureeMinutes: 120,
              modes: ccf ? [.apprentiCFAHabilite: .ccf, .fpcPublicHabilite: .ccf] : [:])
    }

    static func coiffure() -> Reglement {
        Reglement(specialite: "COIFFURE", libelle: "Coiffure", version: 1, reference: "test", epreuves: [
            Epreuve(code: "E1", libelle: "Création couleur coupe coiffage", coefficient: 6, unites: [unite("U10", "Création couleur coupe coiffage", coef: 6)]),
            Epreuve(code: "E2", libelle: "Modification durable de la forme", coefficient: 5, unites: [unite("U20", "Modification durable de la forme", coef: 5)]),
            Epreuve(code: "E3", libelle: "Coiffure événementielle ou coupe homme", auChoix: true, coefficient: 3, unites: [
                unite("U30A", "Coiffure événementielle", coef: 3), unite("U30B", "Coupe homme et entretien pilo-facial", coef: 3),
            ]),
            Epreuve(code: "E4", libelle: "Sciences et technologies", coefficient: 3, unites: [unite("U40", "Sciences et technologies", coef: 3, ccf: true)]),
            Epreuve(code: "E5", libelle: "Gestion de l'entreprise", coefficient: 3, unites: [unite("U50", "Gestion de l'entreprise", coef: 3, ccf: true)]),
            Epreuve(code: "E6", libelle: "Expression française", coefficient: 2, unites: [unite("U60", "Expression française et ouverture sur le monde", coef: 2, ccf: true)]),
            Epreuve(code: "EF1", libelle: "Langue vivante", facultative: true, coefficient: nil, unites: [unite("UF1", "Langue vivante étrangère", coef: nil)]),
            Epreuve(code: "EF2", libelle: "Arts appliqués", facultative: true, coefficient: nil, unites: [unite("UF2", "Arts appliqués à la coiffure", coef: nil)]),
        ])
    }

    static func publication(_ session: SessionCode, version: Int) -> ReglementPublie {
        ReglementPublie(
            session: session, academie: "A01", version: version, publiePar: "test",
            specialites: [SpecialiteOfferte(reglement: coiffure(), optionsOffertes: [])],
            piecesJustificatives: [
                PieceJustificative(code: "CONTRAT", libelle: "Contrat d'apprentissage", categories: [.apprentiCFAHabilite, .apprentiCFANonHabilite], obligatoire: true),
                PieceJustificative(code: "IDENTITE", libelle: "Pièce d'identité", categories: CategorieCandidat.allCases, obligatoire: true),
            ])
    }
}
