import Contracts
@testable import Deliberation
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Messaging
import Referentiel
import ServiceKit
import ServiceTestSupport
import Storage
import TestSupport

/// The Délibération service on its real schema (role `deliberation` of the test stack), called
/// through its router as the gateway would, with signed internal tokens. Each test has a session
/// of its own whose réglementation it feeds through the shared copy's writes (what the consumer
/// runs).
struct Banc: Sendable {
    let runtime: ServiceRuntime
    let client: any TestClientProtocol
    let session: String

    var database: Database { runtime.database }
    var referentiel: ReferentielReglementation { ReferentielReglementation(database: database) }

    static func avecService(
        reglementPublie: Bool = true, serviceOuvert: Bool = true, annees: ClosedRange<Int> = 2030...2099,
        _ body: @escaping @Sendable (Banc) async throws -> Void
    ) async throws {
        let configuration = try ServiceConfiguration(
            serviceName: DeliberationService.name, environment: try TestStack.environment("deliberation"))
        let runtime = await ServiceRuntime(configuration: configuration)
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(DeliberationService.self))
            let code = try await SessionsDeTest.reserver(annees: annees)
            let session = try SessionCode(code)
            let referentiel = ReferentielReglementation(database: runtime.database)
            try await runtime.database.transaction { connection in
                try await referentiel.enregistrer(
                    SessionOuverte(session: session, academie: "A01", libelle: "Session de test", ouvertePar: "test"), on: connection)
                if reglementPublie {
                    try await referentiel.enregistrer(Self.reglement(session), on: connection)
                }
                if serviceOuvert { try await referentiel.ouvrir(.deliberation, session: session, on: connection) }
            }
            let app = Application(router: try DeliberationService.build(runtime).router ?? Router(context: ServiceRequestContext.self))
            try await app.test(.router) { client in
                try await body(Banc(runtime: runtime, client: client, session: code))
            }
        }
    }

    /// The BP Boulanger of the national pilot (Services/Reglementation/Pilote): compulsory
    /// units U10 (coef 12), U20, U30, U41, U42, U50 (coef 3 each), U60 (coef 1), the
    /// facultative UF; and an option group E7 (U71 or U72, coef 2) to exercise the choice.
    static func reglement(_ session: SessionCode) -> ReglementPublie {
        func unite(_ code: String, _ libelle: String, _ coefficient: Int?) -> Unite {
            Unite(code: code, libelle: libelle, coefficient: coefficient, formes: [.ecrite], dureeMinutes: 120,
                  modes: Dictionary(uniqueKeysWithValues: CategorieCandidat.allCases.map { ($0, .ponctuel) }))
        }
        let boulanger = Reglement(specialite: "BOULANGER", libelle: "Boulanger", version: 1, reference: "test", epreuves: [
            Epreuve(code: "E1", libelle: "Fabrication d'une commande", coefficient: 12, unites: [unite("U10", "Fabrication d'une commande", 12)]),
            Epreuve(code: "E2", libelle: "Technologie professionnelle", coefficient: 3, unites: [unite("U20", "Technologie professionnelle", 3)]),
            Epreuve(code: "E3", libelle: "Sciences appliquées", coefficient: 3, unites: [unite("U30", "Sciences appliquées", 3)]),
            Epreuve(code: "E4", libelle: "Gestion appliquée", coefficient: 6, unites: [
                unite("U41", "Environnement économique, juridique et gestion", 3), unite("U42", "Dossier d'étude technique", 3)]),
            Epreuve(code: "E5", libelle: "Expression française et ouverture sur le monde", coefficient: 3,
                    unites: [unite("U50", "Expression française", 3)]),
            Epreuve(code: "E6", libelle: "Langue vivante étrangère", coefficient: 1, unites: [unite("U60", "Langue vivante", 1)]),
            Epreuve(code: "E7", libelle: "Option", auChoix: true, coefficient: 2, unites: [
                unite("U71", "Viennoiserie", 2), unite("U72", "Pâtisserie boulangère", 2), unite("U73", "Option non offerte", 2)]),
            Epreuve(code: "EF", libelle: "Langue vivante (facultative)", facultative: true, coefficient: nil,
                    unites: [unite("UF", "Langue vivante facultative", nil)]),
        ])
        return ReglementPublie(
            session: session, academie: "A01", version: 1, publiePar: "test",
            specialites: [SpecialiteOfferte(reglement: boulanger, optionsOffertes: ["U71", "U72"])], piecesJustificatives: [])
    }

    // MARK: Feeding the copy as the consumer does

    /// Handles `evenement` as the service's consumer does: its handler, in a transaction.
    func livrer(_ evenement: some MessageContract, producteur: String, le: Date = Date()) async throws {
        let corps = Array(try MessageCoding.encoder().encode(Envelope(evenement, producer: producteur, occurredAt: le)))
        let metadata = try MessageCoding.decoder().decode(EnvelopeMetadata.self, from: Data(corps))
        let outbox = OutboxWriter(database: database, producer: "deliberation")
        switch DeliberationService.handlers(runtime: runtime).entries[metadata.type] {
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

    /// A validated candidature in BOULANGER: every compulsory unit sat (option U71) unless
    /// `situations` says otherwise (`U20: .benefice` with `beneficeU20`).
    func candidature(
        numero: String, forme: FormePassage = .globale, revision: Int = 1, id: UUID = UUID(), etablissement: String? = nil,
        categorie: CategorieCandidat = .apprentiCFAHabilite, situations: [String: SituationUnite] = [:],
        beneficeU20: (note: Int, session: String, le: String)? = nil, facultative: Bool = false
    ) throws -> CandidatureEtat {
        let coefficients = ["U10": 12, "U20": 3, "U30": 3, "U41": 3, "U42": 3, "U50": 3, "U60": 1, "U71": 2]
        var unites = coefficients.sorted { $0.key < $1.key }.map { code, coefficient in
            let situation = situations[code] ?? .presentee
            var unite = UniteInscrite(
                code: code, epreuve: "E" + code.dropFirst().prefix(1), libelle: "Unité \(code)", coefficient: coefficient,
                facultative: false, situation: situation, mode: situation == .presentee ? .ponctuel : nil)
            if code == "U20", situation == .benefice, let beneficeU20 {
                unite.noteConservee = beneficeU20.note
                unite.sessionOrigine = beneficeU20.session
                unite.obtenueLe = beneficeU20.le
            }
            return unite
        }
        if facultative {
            unites.append(UniteInscrite(code: "UF", epreuve: "EF", libelle: "Facultative", coefficient: nil, facultative: true,
                                        situation: .presentee, mode: .ponctuel))
        }
        return CandidatureEtat(
            id: id, numero: numero, session: try SessionCode(session),
            candidat: IdentiteCandidat(nomFamille: "Martin", nomUsage: nil, prenoms: "Léa", sexe: .feminin, dateNaissance: "2004-03-02",
                                       communeNaissance: "Lyon", ine: nil),
            categorie: .apprenti, categorieReglementaire: categorie,
            etablissement: try etablissement.map { EtablissementInscription(uai: try UAI($0), nom: "CFA", gestionAutonome: false) },
            specialite: "BOULANGER", reglementVersion: 1, forme: forme, unites: unites, amenagements: [], revision: revision)
    }

    /// Consolidates `unite` with these grades by candidature (a fresh numéro d'anonymat each) and
    /// lifts its anonymity, as evaluation and organisation do.
    func consolider(_ unite: String, _ notes: [(CandidatureEtat, String)], le: Date = Date()) async throws {
        let copies = try notes.map { (candidature, note) in
            (numero: "AN" + UUID().uuidString.prefix(8), candidature: candidature, note: try Note.parse(note, pas: .centieme))
        }
        try await livrer(NotesConsolidees(
            session: try SessionCode(session), specialite: "BOULANGER", epreuve: "E" + unite.dropFirst().prefix(1), unite: unite,
            notes: copies.map { .init(numeroAnonymat: $0.numero, note: $0.note) }), producteur: "evaluation", le: le)
        try await livrer(AnonymatLeve(
            session: try SessionCode(session), unite: unite,
            correspondances: copies.map { .init(numeroAnonymat: $0.numero, candidature: $0.candidature.id, numeroCandidat: $0.candidature.numero) }),
            producteur: "organisation")
    }

    func appel(
        _ method: HTTPRequest.Method, _ uri: String, _ role: Role? = .gestionnaire, scopes: Set<String> = [], json: String? = nil
    ) async throws -> ReponseService {
        try await client.appelService(
            method, uri, identite: role.map { InternalIdentity(subject: "\($0.rawValue)-test", role: $0, scopes: scopes) },
            tokens: runtime.tokens, contentType: json.map { _ in "application/json" }, corps: json.map { ByteBuffer(string: $0) })
    }

    /// `POST /v1/sessions/<session>/simulation` with BOULANGER, the form and these result lines
    /// (JSON objects as the page sends them).
    func simuler(
        _ lignes: [String], forme: String = "globale", date: String? = "2031-07-02", role: Role = .gestionnaire,
        specialite: String = "BOULANGER"
    ) async throws -> ReponseService {
        let dateJSON = date.map { "\"dateDeliberation\": \"\($0)\"," } ?? ""
        return try await appel(.post, "/v1/sessions/\(session)/simulation", role, json: """
            {"specialite": "\(specialite)", "forme": "\(forme)", \(dateJSON) "resultats": [\(lignes.joined(separator: ","))]}
            """)
    }

    /// The rows a simulation could have written: the session's own rows and the outbox's events
    /// naming it. (Not the inbox: another suite's consumer writes it meanwhile, and a route never
    /// touches it.)
    func lignesEcrites() async throws -> Int {
        var total = 0
        for (table, filtre) in [("sessions", "code = $1"), ("reglements", "session = $1"), ("centres", "session = $1"),
                                ("salles", "session = $1"), ("candidatures", "session = $1"), ("jurys", "session = $1"),
                                ("resultats", "session = $1"), ("outbox", "position(convert_to($1, 'UTF8') in envelope) > 0")] {
            let rows = try await database.query(SQL.query(
                "SELECT count(*)::int8 FROM \(database.table(table)) WHERE \(filtre)", session))
            for try await n in rows.decode(Int64.self) { total += Int(n) }
        }
        return total
    }

    /// The events of `type` in the service's outbox that name this session, oldest first.
    func evenements<P: MessageContract>(_ type: P.Type) async throws -> [P] {
        let rows = try await database.query(SQL.query(
            """
            SELECT envelope FROM \(database.table("outbox"))
            WHERE type = $1 AND position(convert_to($2, 'UTF8') in envelope) > 0 ORDER BY position
            """, P.type, session))
        var evenements: [P] = []
        for try await octets in rows.decode(ByteBuffer.self) {
            evenements.append(try MessageCoding.decoder().decode(Envelope<P>.self, from: Data(buffer: octets)).payload)
        }
        return evenements
    }
}
