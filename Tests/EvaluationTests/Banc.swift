import AMQP
import Contracts
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Evaluation
import Messaging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import ServiceTestSupport
import Storage
import TestSupport

/// The Evaluation service on its real schema (role `evaluation` of the test stack), called
/// through its router as the gateway would, with signed internal tokens; its command publisher
/// and outcome listener run beside it, and (unless `travailleurs: 0`) in-process workers on the
/// real work queue. Each test has a session of its own, whose copy of réglementation and
/// organisation it feeds through the service's own referentiel repository (what the consumer runs).
struct Banc: Sendable {
    let runtime: ServiceRuntime
    let client: any TestClientProtocol
    let session: String
    /// A centre de correction of the session.
    let centre: String
    /// An établissement in gestion autonome with CCF copies.
    let etablissement: String
    /// The audit chain's key, from the stack's env file as the service reads it.
    let cle: CleAudit

    var database: Database { runtime.database }
    var referentiel: ReferentielRepository { ReferentielRepository(database: database) }

    static func environnement() throws -> [String: String] { try TestStack.environment("evaluation") }

    static func avecService(
        travailleurs: Int = 1, collecteOuverte: Bool = true,
        _ body: @escaping @Sendable (Banc) async throws -> Void
    ) async throws {
        let configuration = try ServiceConfiguration(serviceName: EvaluationService.name, environment: environnement())
        let runtime = await ServiceRuntime(configuration: configuration)
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(EvaluationService.self))
            let code = try await Self.codeLibre(runtime.database)
            let centre = UAIs.valide(), etablissement = UAIs.valide()
            let session = try SessionCode(code)
            let referentiel = ReferentielRepository(database: runtime.database)
            try await runtime.database.transaction { connection in
                try await referentiel.enregistrer(
                    SessionOuverte(session: session, academie: "A01", libelle: "Session de test", ouvertePar: "test"), on: connection)
                if collecteOuverte { try await referentiel.ouvrir(.collecteNotes, session: session, on: connection) }
                for (uai, nom, roles) in [(centre, "Lycée Jean Moulin", [RoleCentre.epreuve, .correction]),
                                          (etablissement, "CFA des métiers", [RoleCentre.inscription, .epreuve])] {
                    try await referentiel.enregistrer(CentreEtat(
                        session: session, uai: try UAI(uai), nom: nom, commune: "Lyon", secteur: .public, habilitationCFA: true,
                        habilitationFPC: true, roles: roles, gestionAutonome: true, salles: [], revision: 1), on: connection)
                }
            }
            let composants = try Composants(runtime: runtime)
            let services: [any Service] = [composants.envoi, composants.attente]
                + (try (0..<travailleurs).map { _ in try Self.travailleur(runtime) })
            try await withThrowingTaskGroup(of: Void.self) { group in
                for service in services { group.addTask { try await service.run() } }
                defer { group.cancelAll() }
                let app = Application(router: runtime.router { composants.addRoutes(to: $0) })
                try await app.test(.router) { client in
                    try await body(Banc(runtime: runtime, client: client, session: code, centre: centre, etablissement: etablissement,
                                        cle: composants.cle))
                }
            }
        }
    }

    /// An in-process worker: the kit's consumer of the work queue, as `cyclades-evaluation worker` runs it.
    static func travailleur(_ runtime: ServiceRuntime, prefetch: Int = 200) throws -> MessageConsumer {
        try EvaluationService.worker(runtime, prefetch: prefetch, linger: .milliseconds(10)).queues[0].consumer(
            database: runtime.database, amqp: runtime.configuration.amqp, outbox: runtime.outbox,
            logger: TestStack.logger("test.evaluation.worker"))
    }

    static func codeLibre(_ database: Database) async throws -> String {
        try await SessionsDeTest.reserver(natures: [.normale, .remplacement])
    }

    // MARK: Feeding organisation's copies

    /// `organisation.anonymat.attribue` for `copies` copies of `unite` written in `centre` (the
    /// centre de correction by default), with fresh random numbers; returns them.
    @discardableResult
    func anonymats(
        unite: String = "U20", copies: Int, centre: String? = nil, forme: String = "ecrite",
        mode: ModeEvaluationAffectation = .ponctuel, pas: Int = 25
    ) async throws -> [String] {
        let numeros = (0..<copies).map { _ in Self.numeroAnonymat() }
        try await database.transaction { connection in
            try await referentiel.enregistrer(AnonymatAttribue(
                session: try SessionCode(session), specialite: "COIFFURE", epreuve: "E2", unite: unite, forme: forme, mode: mode,
                centre: try UAI(centre ?? self.centre), debut: nil, pasCentiemes: pas, copies: numeros, revision: 1), on: connection)
        }
        return numeros
    }

    static func numeroAnonymat() -> String {
        String((0..<8).map { _ in "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".randomElement()! })
    }

    // MARK: Requests

    typealias Reponse = ReponseService

    func appel(
        _ method: HTTPRequest.Method, _ uri: String, _ role: Role? = .gestionnaire, scopes: Set<String> = [],
        sujet: String = "gestionnaire-test", json: String? = nil
    ) async throws -> Reponse {
        try await client.appelService(
            method, uri, identite: role.map { InternalIdentity(subject: sujet, role: $0, scopes: scopes) }, tokens: runtime.tokens,
            contentType: json.map { _ in "application/json" }, corps: json.map { ByteBuffer(string: $0) })
    }

    /// A grader of `lot`: his identity as the gateway would vouch for it.
    struct Correcteur: Sendable {
        var sujet: String
        var lot: UUID
        var scopes: Set<String> { ["lot:\(lot.uuidString.lowercased())"] }
    }

    func comme(_ correcteur: Correcteur, _ method: HTTPRequest.Method, _ uri: String, json: String? = nil) async throws -> Reponse {
        try await appel(method, uri, .correcteur, scopes: correcteur.scopes, sujet: correcteur.sujet, json: json)
    }

    /// Splits `unite` into lots of `taille` (as the gestionnaire), returns them.
    func lots(unite: String = "U20", taille: Int, centre: String? = nil) async throws -> [Lot] {
        let corps = centre.map { #"{"centre":"\#($0)","taille":\#(taille)}"# } ?? #"{"centre":"\#(self.centre)","taille":\#(taille)}"#
        let reponse = try await appel(.post, "/v1/sessions/\(session)/unites/\(unite)/lots", json: corps)
        guard reponse.status == .created else { throw TestStackError("lots: \(reponse.status) \(reponse.texte)") }
        struct Cree: Decodable { var lots: [Lot] }
        return try reponse.json(Cree.self).lots
    }

    /// Assigns a new grader to each lot and opens the collection of the unit.
    func correcteurs(_ lots: [Lot], ouvrir: Bool = true) async throws -> [Correcteur] {
        let correcteurs = lots.map { Correcteur(sujet: "correcteur-\(UUID().uuidString.lowercased())", lot: $0.id) }
        let corps = #"{"affectations":["# + correcteurs.enumerated().map { index, c in
            #"{"lot":"\#(c.lot)","sujet":"\#(c.sujet)","nom":"Correcteur \#(index + 1)"}"#
        }.joined(separator: ",") + "]}"
        let reponse = try await appel(.post, "/v1/sessions/\(session)/affectations", json: corps)
        guard reponse.status == .ok else { throw TestStackError("affectations: \(reponse.status) \(reponse.texte)") }
        if ouvrir {
            for unite in Set(lots.map(\.unite)) {
                let ouverture = try await appel(.post, "/v1/sessions/\(session)/unites/\(unite)/ouverture")
                guard ouverture.status == .ok else { throw TestStackError("ouverture: \(ouverture.status) \(ouverture.texte)") }
            }
        }
        return correcteurs
    }

    static func corpsNotes(_ notes: [(String, String)], commande: UUID? = nil) -> String {
        let lignes = notes.map { #"{"copie":"\#($0.0)","note":"\#($0.1)"}"# }.joined(separator: ",")
        return #"{\#(commande.map { #""commande":"\#($0)","# } ?? "")"notes":[\#(lignes)]}"#
    }

    /// The copies of a lot as the database has them.
    func copies(_ lot: UUID) async throws -> [String] {
        try await LotRepository(database: database).copies(lot).map(\.numero)
    }

    func notes(_ lot: UUID) async throws -> [String: String] {
        var notes: [String: String] = [:]
        for copie in try await LotRepository(database: database).copies(lot) { if let note = copie.note { notes[copie.numero] = note } }
        return notes
    }

    /// Events of `type` in the outbox whose aggregate starts with `prefixe`, decoded, oldest first.
    func evenements<P: MessageContract>(_ type: P.Type, aggregate: String) async throws -> [P] {
        let rows = try await database.query(SQL.query(
            "SELECT convert_from(envelope, 'UTF8') FROM \(database.table("outbox")) WHERE type = $1 AND aggregate = $2 ORDER BY position",
            P.type, aggregate))
        var result: [P] = []
        for try await texte in rows.decode(String.self) {
            result.append(try MessageCoding.decoder().decode(Envelope<P>.self, from: Data(texte.utf8)).payload)
        }
        return result
    }
}

struct ReponseSaisie: Decodable {
    var commande: UUID
    var statut: String
    var appliquees: Int?
    var ignorees: Int?
    var message: String?
}
