import Contracts
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Messaging
@testable import Organisation
import PostgresNIO
import ServiceKit
import ServiceTestSupport
import Storage
import TestSupport

/// The Organisation service on its real schema (role `organisation` of the test stack), called
/// through its router as the gateway would, with signed internal tokens. Each test works in a
/// session of its own, whose copy of réglementation and inscription it feeds through the
/// service's referentiel repository and `Suites` (the same code the consumer's handlers run).
struct Banc: Sendable {
    let runtime: ServiceRuntime
    let client: any TestClientProtocol
    let code: SessionCode

    var session: String { code.value }
    var database: Database { runtime.database }
    var referentiel: ReferentielRepository { ReferentielRepository(database: database) }
    var suites: Suites { OrganisationService.suites(runtime) }

    /// The two national sitting days of the test règlement.
    var jour1: String { "\(code.annee)-06-08" }
    var jour2: String { "\(code.annee)-06-09" }

    static func avecService(mode: TestingSetup = .router, _ body: @escaping @Sendable (Banc) async throws -> Void) async throws {
        let configuration = try ServiceConfiguration(serviceName: OrganisationService.name, environment: TestStack.environment("organisation"))
        let runtime = await ServiceRuntime(configuration: configuration)
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(OrganisationService.self))
            let code = try SessionCode(try await Self.codeLibre(runtime.database))
            let referentiel = ReferentielRepository(database: runtime.database)
            try await runtime.database.transaction { connection in
                try await referentiel.enregistrer(
                    SessionOuverte(session: code, academie: "A01", libelle: "Session de test", ouvertePar: "test", debutEpreuves: "\(code.annee)-06-08"),
                    on: connection)
                try await referentiel.ouvrir(.organisation, session: code, on: connection)
                try await referentiel.enregistrer(Reglements.publication(code, version: 1), on: connection)
            }
            let app = Application(router: try await runtime.router(for: OrganisationService.self))
            do {
                try await app.test(mode) { client in
                    try await body(Banc(runtime: runtime, client: client, code: code))
                }
            } catch {
                try? await Self.nettoyer(code, runtime.database)
                throw error
            }
            try await Self.nettoyer(code, runtime.database)
        }
    }

    /// A session code no other test uses, its copy reserved at once in the service's schema;
    /// `nettoyer` removes that copy at the end of the test.
    static func codeLibre(_ database: Database) async throws -> String {
        let code = try await SessionsDeTest.reserver(natures: [.normale, .remplacement, .vae], annees: 2000...2099)
        try await database.query(SQL.query(
            "INSERT INTO \(database.table("sessions")) (code, academie, libelle) VALUES ($1, 'A01', 'réservée') ON CONFLICT DO NOTHING", code))
        return code
    }

    /// Removes the session's copy and placements (its outbox rows stay), so that its code is free again.
    static func nettoyer(_ code: SessionCode, _ database: Database) async throws {
        try await database.transaction { connection in
            for (table, colonne) in [("candidatures", "session"), ("lots_anonymat", "session"), ("delegations", "session"), ("regroupements", "session"),
                                     ("centres", "session"), ("unites", "session"), ("reglements", "session"), ("sessions", "code")] {
                try await connection.query(SQL.query("DELETE FROM \(database.table(table)) WHERE \(colonne) = $1", code.value), logger: database.logger)
            }
        }
    }

    // MARK: Feeding the copy

    /// Declares a centre (roles épreuve by default) with its rooms; returns its UAI.
    @discardableResult
    func centre(_ nom: String, salles: [Salle], departement: String = "075", roles: [RoleCentre] = [.epreuve], gestionAutonome: Bool = false,
                uai: String? = nil, revision: Int = 1) async throws -> String {
        let uai = uai ?? UAIs.valide(departement: departement)
        try await database.transaction { connection in
            try await referentiel.enregistrer(CentreEtat(
                session: code, uai: try UAI(uai), nom: nom, commune: "Commune \(nom)", secteur: .public, habilitationCFA: true,
                habilitationFPC: false, roles: roles, gestionAutonome: gestionAutonome, salles: salles, revision: revision), on: connection)
            try await suites.apresChangement(session: session, par: "test", on: connection)
        }
        return uai
    }

    /// Validated candidatures, as `inscription.candidature.validee` brings them.
    func nourrir(_ candidatures: [CandidatureEtat]) async throws {
        for debut in stride(from: 0, to: candidatures.count, by: 2000) {
            let lot = Array(candidatures[debut..<min(debut + 2000, candidatures.count)])
            try await database.transaction { connection in
                let ecrites = try await referentiel.enregistrer(lot, on: connection)
                try await suites.apresChangement(session: session, candidatures: ecrites.ids, unitesRetirees: ecrites.unitesRetirees,
                                                 par: "inscription", on: connection)
            }
        }
    }

    func candidature(
        nom: String = "Martin", prenoms: String = "Léa", naissance: String = "2005-03-14", ine: String? = INEs.nouveau(),
        etablissement: String?, autonome: Bool = false, categorie: CategorieCandidat = .apprentiCFANonHabilite,
        ccf: Bool = false, amenagements: [MesureAmenagement] = [], revision: Int = 1, numero: String? = nil, id: UUID = UUID()
    ) throws -> CandidatureEtat {
        CandidatureEtat(
            id: id, numero: numero ?? String(format: "%08d", Int.random(in: 10_000_000...99_999_999)), session: code,
            candidat: IdentiteCandidat(nomFamille: nom, nomUsage: nil, prenoms: prenoms, sexe: .feminin, dateNaissance: naissance,
                                       communeNaissance: "Lyon", ine: try ine.map { try INE($0) }),
            categorie: .apprenti, categorieReglementaire: categorie,
            etablissement: try etablissement.map { EtablissementInscription(uai: try UAI($0), nom: "Établissement \($0)", gestionAutonome: autonome) },
            specialite: "COIFFURE", reglementVersion: 1, forme: .globale,
            unites: Reglements.unites(ccf: ccf), amenagements: amenagements, revision: revision)
    }

    // MARK: Calls

    typealias Reponse = ReponseService

    func appel(
        _ method: HTTPRequest.Method, _ uri: String, _ role: Role? = .gestionnaire, scopes: Set<String> = [],
        sujet: String = "gestionnaire-test", json: String? = nil
    ) async throws -> Reponse {
        try await client.appelService(
            method, uri, identite: role.map { InternalIdentity(subject: sujet, role: $0, scopes: scopes) }, tokens: runtime.tokens,
            contentType: json.map { _ in "application/json" }, corps: json.map { ByteBuffer(string: $0) })
    }

    /// As the établissement (or centre) `uai`.
    func etab(_ method: HTTPRequest.Method, _ uri: String, _ uai: String, json: String? = nil) async throws -> Reponse {
        try await appel(method, uri, .etablissement, scopes: ["uai:\(uai)"], sujet: "etab-\(uai)", json: json)
    }

    /// Events of `type` of this session in the outbox, decoded, oldest first.
    func evenements<P: MessageContract>(_ type: P.Type) async throws -> [P] {
        try await enveloppes(type).map { try MessageCoding.decoder().decode(Envelope<P>.self, from: Data($0.utf8)).payload }
    }

    /// The outbox rows of `type` for this session, as written (the envelope's JSON text).
    func enveloppes<P: MessageContract>(_ type: P.Type) async throws -> [String] {
        let rows = try await database.query(SQL.query(
            """
            SELECT convert_from(envelope, 'UTF8') FROM \(database.table("outbox"))
            WHERE type = $1 AND convert_from(envelope, 'UTF8') LIKE $2 ORDER BY position
            """, P.type, "%\"session\":\"\(session)\"%"))
        var textes: [String] = []
        for try await texte in rows.decode(String.self) { textes.append(texte) }
        return textes
    }

    /// Every épreuve-candidat of the session as stored.
    struct Place: Sendable {
        var candidature: UUID
        var unite: String
        var centre: String?
        var salle: String?
        var place: Int?
        var debut: String?
        var duree: Int?
        var motif: String?
    }

    func places(mode: String = "ponctuel") async throws -> [Place] {
        let rows = try await database.query(SQL.query(
            """
            SELECT candidature, unite, centre, salle, place, debut, duree_minutes, motif FROM \(database.table("affectations"))
            WHERE session = $1 AND mode = $2 ORDER BY candidature, unite
            """, session, mode))
        var items: [Place] = []
        for try await (c, u, centre, salle, place, debut, duree, motif) in rows.decode((UUID, String, String?, String?, Int?, String?, Int?, String?).self) {
            items.append(Place(candidature: c, unite: u, centre: centre, salle: salle, place: place, debut: debut, duree: duree, motif: motif))
        }
        return items
    }
}

/// The test règlement: COIFFURE, four units over two days, each with its national date and
/// subject (U40 in CCF for habilitated categories).
enum Reglements {
    static func coiffure(_ session: SessionCode) -> Reglement {
        let j1 = "\(session.annee)-06-08", j2 = "\(session.annee)-06-09"
        func unite(_ code: String, _ libelle: String, forme: FormeEpreuve, duree: Int, debut: String, ccf: Bool = false) -> Unite {
            Unite(code: code, libelle: libelle, coefficient: 3, formes: [forme], dureeMinutes: duree,
                  modes: ccf ? [.apprentiCFAHabilite: .ccf, .fpcPublicHabilite: .ccf] : [:],
                  dates: [DateNationale(session: session, debut: debut, sujet: "SUJET-\(code)-\(session.annee)")])
        }
        return Reglement(specialite: "COIFFURE", libelle: "Coiffure", version: 1, reference: "test", epreuves: [
            Epreuve(code: "E1", libelle: "Création couleur coupe coiffage", coefficient: 6,
                    unites: [unite("U10", "Création couleur coupe coiffage", forme: .pratique, duree: 240, debut: "\(j1)T08:00")]),
            Epreuve(code: "E2", libelle: "Modification durable de la forme", coefficient: 5,
                    unites: [unite("U20", "Modification durable de la forme", forme: .ecrite, duree: 120, debut: "\(j1)T14:00")]),
            Epreuve(code: "E3", libelle: "Sciences et technologies", coefficient: 3,
                    unites: [unite("U30", "Sciences et technologies", forme: .ecrite, duree: 180, debut: "\(j2)T09:00")]),
            Epreuve(code: "E4", libelle: "Gestion de l'entreprise", coefficient: 3,
                    unites: [unite("U40", "Gestion de l'entreprise", forme: .ecrite, duree: 150, debut: "\(j2)T14:00", ccf: true)]),
        ])
    }

    static func publication(_ session: SessionCode, version: Int) -> ReglementPublie {
        ReglementPublie(session: session, academie: "A01", version: version, publiePar: "test",
                        specialites: [SpecialiteOfferte(reglement: coiffure(session), optionsOffertes: [])], piecesJustificatives: [])
    }

    /// The units of a candidate (U40 in CCF when `ccf`).
    static func unites(ccf: Bool) -> [UniteInscrite] {
        [("U10", "E1", "Création couleur coupe coiffage"), ("U20", "E2", "Modification durable de la forme"),
         ("U30", "E3", "Sciences et technologies"), ("U40", "E4", "Gestion de l'entreprise")].map { code, epreuve, libelle in
            UniteInscrite(code: code, epreuve: epreuve, libelle: libelle, coefficient: 3, facultative: false, situation: .presentee,
                          mode: code == "U40" && ccf ? .ccf : .ponctuel)
        }
    }
}

/// The text of a PDF, by `pdftotext`, white space folded (cells wrap).
extension PDF {
    /// Whether `texte` holds `extrait`, white space ignored (pdftotext may drop the narrow space
    /// of « 2 h » when it joins glyphs).
    static func contient(_ texte: String, _ extrait: String) -> Bool {
        texte.filter { !$0.isWhitespace }.contains(extrait.filter { !$0.isWhitespace })
    }
}
