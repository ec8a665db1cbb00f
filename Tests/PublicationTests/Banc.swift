import Contracts
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Messaging
@testable import Publication
import Referentiel
import ServiceKit
import ServiceTestSupport
import Storage
import TestSupport

/// The Publication service on its real schema (role `publication` of the test stack), called
/// through its router as the gateway would, with signed internal tokens. Each test has a session
/// of its own, fed through the service's own handlers as its consumer runs them.
struct Banc: Sendable {
    let runtime: ServiceRuntime
    let client: any TestClientProtocol
    let session: String

    var database: Database { runtime.database }
    var code: SessionCode { get throws { try SessionCode(session) } }

    static func avecService(_ body: @escaping @Sendable (Banc) async throws -> Void) async throws {
        let configuration = try ServiceConfiguration(
            serviceName: PublicationService.name, environment: try TestStack.environment("publication"))
        let runtime = await ServiceRuntime(configuration: configuration)
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(PublicationService.self))
            let code = try await SessionsDeTest.reserver(annees: 2030...2099)
            let app = Application(router: try PublicationService.build(runtime).router ?? Router(context: ServiceRequestContext.self))
            try await app.test(.router) { client in
                let banc = Banc(runtime: runtime, client: client, session: code)
                try await banc.livrer(SessionOuverte(
                    session: try SessionCode(code), academie: "A13", libelle: "Session de test", ouvertePar: "test"), producteur: "reglementation")
                try await body(banc)
            }
        }
    }

    // MARK: Feeding the copy as the consumer does

    /// Handles `evenement` as the service's consumer does: its handler, in a transaction.
    func livrer(_ evenement: some MessageContract, producteur: String, le: Date = Date()) async throws {
        let corps = Array(try MessageCoding.encoder().encode(Envelope(evenement, producer: producteur, occurredAt: le)))
        let metadata = try MessageCoding.decoder().decode(EnvelopeMetadata.self, from: Data(corps))
        let outbox = OutboxWriter(database: database, producer: "publication")
        switch PublicationService.handlers(runtime: runtime).entries[metadata.type] {
        case .single(let handler)?:
            try await database.transaction { connection in
                try await handler(corps, MessageContext(metadata: metadata, connection: connection, outbox: outbox, logger: database.logger))
            }
        case .batch(let handler)?:
            try await database.transaction { connection in
                try await handler([corps], MessageBatchContext(connection: connection, outbox: outbox, logger: database.logger))
            }
        case nil:
            throw TestStackError("no handler for \(metadata.type)")
        }
    }

    func ouvrirPublication() async throws {
        try await livrer(ServiceOuvert(session: try code, service: .publication, ouvertPar: "gestionnaire-test"), producteur: "reglementation")
    }

    /// A validated candidature in BOULANGER, with a numéro of its own (numéros are unique across
    /// sessions).
    func candidature(nom: String, consentement: Bool, etablissement: String? = nil, naissance: String = "2004-03-02") throws -> CandidatureEtat {
        CandidatureEtat(
            id: UUID(), numero: "P" + UUID().uuidString.prefix(8), session: try code,
            candidat: IdentiteCandidat(nomFamille: nom, nomUsage: nil, prenoms: "Léa", sexe: .feminin, dateNaissance: naissance,
                                       communeNaissance: "Marseille", ine: nil),
            categorie: .apprenti, categorieReglementaire: .apprentiCFAHabilite,
            etablissement: try etablissement.map { EtablissementInscription(uai: try UAI($0), nom: "CFA de test", gestionAutonome: false) },
            specialite: "BOULANGER", reglementVersion: 1, forme: .globale,
            unites: [UniteInscrite(code: "U10", epreuve: "E1", libelle: "Fabrication", coefficient: 12, facultative: false,
                                   situation: .presentee, mode: .ponctuel)],
            amenagements: [], consentementPublication: consentement, revision: 1)
    }

    func resultat(_ candidature: CandidatureEtat, jury: String = "J01", decision: String = "admis", note: String = "12.50",
                  revision: Int = 1) throws -> ResultatArrete {
        ResultatArrete(
            session: try code, candidature: candidature.id, numero: candidature.numero, specialite: "BOULANGER", jury: jury,
            decision: decision, moyenne: note, decisionDuJury: false,
            unites: [.init(unite: "U10", libelle: "Fabrication", coefficient: 12, facultative: false, note: note,
                           statut: decision == "admis" ? "obtenue" : "non_obtenue", sessionOrigine: nil, pointsDeJury: false)],
            acquis: [], reportables: [], attestationDeReussite: false, sessionDeRemplacement: false, revision: revision)
    }

    /// The jury's PV as délibération signs it, from the results it closed.
    func pv(_ resultats: [ResultatArrete], jury: String = "J01", version: Int = 1) throws -> JuryClos {
        JuryClos(session: try code, jury: jury, specialite: "BOULANGER", candidats: resultats.count,
                 admis: resultats.filter { $0.decision == "admis" }.count, versionPV: version, closPar: "president-test",
                 resultats: resultats.map(JuryClos.Arrete.init))
    }

    /// Candidatures, their results and the jury's PV, as the other services send them.
    func deliberer(_ candidatures: [CandidatureEtat], _ resultats: [ResultatArrete], pv: JuryClos? = nil) async throws {
        for candidature in candidatures { try await livrer(CandidatureValidee(candidature), producteur: "inscription") }
        for resultat in resultats { try await livrer(resultat, producteur: "deliberation") }
        try await livrer(try pv ?? self.pv(resultats), producteur: "deliberation")
    }

    func appel(
        _ method: HTTPRequest.Method, _ uri: String, _ role: Role? = .gestionnaire, scopes: Set<String> = [], json: String? = nil
    ) async throws -> ReponseService {
        try await client.appelService(
            method, uri, identite: role.map { InternalIdentity(subject: "\($0.rawValue)-test", role: $0, scopes: scopes) },
            tokens: runtime.tokens, contentType: json.map { _ in "application/json" }, corps: json.map { ByteBuffer(string: $0) })
    }

    /// The result messages for outside bodies in the outbox, for this session, oldest first.
    func messagesPublies() async throws -> [(routingKey: String, exchange: String, message: ResultatPublie)] {
        let rows = try await database.query(SQL.query(
            """
            SELECT routing_key, exchange, envelope FROM \(database.table("outbox"))
            WHERE type = $1 AND position(convert_to($2, 'UTF8') in envelope) > 0 ORDER BY position
            """, ResultatPublie.type, session))
        var messages: [(String, String, ResultatPublie)] = []
        for try await (cle, exchange, octets) in rows.decode((String, String, ByteBuffer).self) {
            messages.append((cle, exchange, try MessageCoding.decoder().decode(Envelope<ResultatPublie>.self, from: Data(buffer: octets)).payload))
        }
        return messages
    }

    func etat() async throws -> EtatPublication {
        let reponse = try await appel(.get, "/v1/sessions/\(session)/publication")
        guard reponse.status == .ok else { throw TestStackError("publication state: \(reponse.status) \(reponse.texte)") }
        return try reponse.json(EtatPublication.self)
    }

    /// The gateway's view of what is public, for this session: the generation, and its results
    /// read by pages of `taille` (none while the session is not released).
    func publics(taille: Int = 1) async throws -> (generation: Int64, lignes: [LignePublique]) {
        let reponse = try await appel(.get, "/v1/public/sessions", .service)
        guard reponse.status == .ok else { throw TestStackError("public sessions: \(reponse.status) \(reponse.texte)") }
        let publics = try reponse.json(SessionsPubliques.self)
        guard publics.sessions.contains(where: { $0.session == session }) else { return (publics.generation, []) }
        var lignes: [LignePublique] = []
        var apres: String?
        repeat {
            let page = try await appel(.get, "/v1/public/sessions/\(session)/resultats?taille=\(taille)" + (apres.map { "&apres=\($0)" } ?? ""), .service)
            guard page.status == .ok else { throw TestStackError("public results: \(page.status) \(page.texte)") }
            let contenu = try page.json(PagePublique.self)
            lignes += contenu.resultats
            apres = contenu.suite
        } while apres != nil
        return (publics.generation, lignes)
    }
}

struct EtatPublication: Decodable {
    struct Ecart: Decodable {
        var code: String
        var jury: String?
        var numero: String?
        var message: String
    }

    struct Revision: Decodable {
        var numero: String
        var revisionAvant: Int
        var decisionAvant: String
        var revision: Int
        var decision: String
    }

    var etapeOuverte: Bool
    var publieeLe: Date?
    var resultatsRecus: Int
    var resultatsPublies: Int
    var ecarts: [Ecart]
    var ecartsTotal: Int
    var revisions: [Revision]
}

struct LignePublique: Decodable {
    var numero: String
    var cle: String
    var decision: String
    var nom: String?
    var prenoms: String?
}

struct SessionsPubliques: Decodable {
    struct Session: Decodable {
        var session: String
        var version: Int64
        var resultats: Int
    }

    var generation: Int64
    var sessions: [Session]
}

struct PagePublique: Decodable {
    var resultats: [LignePublique]
    var suite: String?
}
