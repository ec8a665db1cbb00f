import Contracts
import Deliberation
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Messaging
import Referentiel
import ServiceKit
import Storage
import TestSupport

/// The real Délibération service on a live socket, with a session of its own whose copy is fed
/// through the service's own consumer handlers, as the events would: the session and its
/// règlement (PATISSIER: U1 coef 2, U2 coef 1), three candidates (N1, N2, N3; Martin Léa,
/// Durand Paul, Petit Zoé, born and identified — what the anonymous screens must never show)
/// and their consolidated grades with the anonymity link.
struct DeliberationEnAval: Sendable {
    let url: String
    let session: String
    let tokens: InternalTokenAuthority

    static let identites: [(numero: String, nom: String, prenoms: String, naissance: String, ine: String)] = [
        ("N1", "Martin", "Léa", "2004-03-02", "123456789AB"),
        ("N2", "Durand", "Paul", "2003-11-17", "234567891BC"),
        ("N3", "Petit", "Zoé", "2005-01-30", "345678912CD"),
    ]

    /// N1: 14 and 14 (admis); N2: 10 and 9 → 29/3 = 9,66 (ajourné, borderline); N3: 6 and 6.
    static let notes: [String: [String]] = ["U1": ["14", "10", "6"], "U2": ["14", "9", "6"]]

    static func avec(_ body: @escaping @Sendable (DeliberationEnAval) async throws -> Void) async throws {
        let configuration = try ServiceConfiguration(serviceName: DeliberationService.name, environment: TestStack.environment("deliberation"))
        let runtime = await ServiceRuntime(configuration: configuration)
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(DeliberationService.self))
            let code = try await SessionsDeTest.reserver()
            let session = try SessionCode(code)
            let handlers = DeliberationService.handlers(runtime: runtime)
            func livrer(_ evenement: some MessageContract, _ producteur: String) async throws {
                let corps = Array(try MessageCoding.encoder().encode(Envelope(evenement, producer: producteur)))
                let metadata = try MessageCoding.decoder().decode(EnvelopeMetadata.self, from: Data(corps))
                switch handlers.entries[metadata.type] {
                case .single(let handler)?:
                    try await runtime.database.transaction { connection in
                        try await handler(corps, MessageContext(metadata: metadata, connection: connection, outbox: runtime.outbox, logger: runtime.logger))
                    }
                case .batch(let handler)?:
                    try await runtime.database.transaction { connection in
                        try await handler([corps], MessageBatchContext(connection: connection, outbox: runtime.outbox, logger: runtime.logger))
                    }
                case nil:
                    throw TestStackError("no handler for \(metadata.type)")
                }
            }
            try await livrer(AggregateSourcesTests.ouverte(code), "reglementation")
            try await livrer(WebDeliberationTests.reglement(session), "reglementation")
            try await livrer(ServiceOuvert(session: session, service: .deliberation, ouvertPar: "test"), "reglementation")
            var candidatures: [CandidatureEtat] = []
            for identite in identites {
                let candidature = CandidatureEtat(
                    id: UUID(), numero: identite.numero, session: session,
                    candidat: IdentiteCandidat(nomFamille: identite.nom, nomUsage: nil, prenoms: identite.prenoms, sexe: .feminin,
                                               dateNaissance: identite.naissance, communeNaissance: "Nantes", ine: try INE(identite.ine)),
                    categorie: .apprenti, categorieReglementaire: .apprentiCFAHabilite, etablissement: nil, specialite: "PATISSIER",
                    reglementVersion: 1, forme: .globale,
                    unites: [UniteInscrite(code: "U1", epreuve: "E1", libelle: "Pratique", coefficient: 2, facultative: false, situation: .presentee, mode: .ponctuel),
                             UniteInscrite(code: "U2", epreuve: "E2", libelle: "Technologie", coefficient: 1, facultative: false, situation: .presentee, mode: .ponctuel)],
                    amenagements: [], revision: 1)
                candidatures.append(candidature)
                try await livrer(CandidatureValidee(candidature), "inscription")
            }
            for (unite, valeurs) in notes {
                let numeros = candidatures.map { _ in "AN" + UUID().uuidString.prefix(8) }
                try await livrer(NotesConsolidees(
                    session: session, specialite: "PATISSIER", epreuve: "E" + unite.dropFirst(), unite: unite,
                    notes: try zip(numeros, valeurs).map { .init(numeroAnonymat: $0, note: try Note.parse($1, pas: .centieme)) }), "evaluation")
                try await livrer(AnonymatLeve(
                    session: session, unite: unite,
                    correspondances: zip(numeros, candidatures).map { .init(numeroAnonymat: $0, candidature: $1.id, numeroCandidat: $1.numero) }),
                    "organisation")
            }
            try await Application(router: try await runtime.router(for: DeliberationService.self)).test(.live) { client in
                try await body(DeliberationEnAval(url: "http://localhost:\(client.port!)", session: code, tokens: runtime.tokens))
            }
        }
    }
}
