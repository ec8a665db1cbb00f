import Contracts
import Domain
import Foundation
@testable import Messaging
import PostgresNIO
import Referentiel
import Storage
import Testing
import TestSupport

/// The shared copy of the réglementation on each service's own schema, as that service's
/// migrations make it: events go through `handlers(apres:)` as the consumer runs them (in a
/// transaction, with a message context), the copy is read back with the module's reads.
@Suite("Copie partagée de la réglementation")
struct ReferentielReglementationTests {
    static let services = ["Inscription", "Organisation", "Evaluation", "Deliberation"]

    @Test("chaque événement est copié et relu", arguments: services)
    func evenements(service: String) async throws {
        try await Copie.avec(service) { copie in
            let session = copie.session
            try await copie.livrer(SessionOuverte(
                session: session, academie: "A01", libelle: "BP juin", ouvertePar: "test", debutEpreuves: "2031-06-02"))
            try await copie.livrer(ServiceOuvert(session: session, service: .inscriptionEtablissement, ouvertPar: "test"))
            try await copie.livrer(ServiceOuvert(session: session, service: .organisation, ouvertPar: "test"))
            try await copie.livrer(ServiceFerme(session: session, service: .inscriptionEtablissement, fermePar: "test"))
            try await copie.livrer(Copie.reglement(session, version: 1))
            try await copie.livrer(CentreDeclare(copie.centre(revision: 1, nom: "Lycée Jean Moulin", salles: [
                Salle(nom: "B12", places: 30), Salle(nom: "A01", places: 24)])))

            let lue = try #require(try await copie.referentiel.session(session))
            #expect(lue.academie == "A01" && lue.libelle == "BP juin" && !lue.close)
            #expect(lue.servicesOuverts == [.organisation])
            #expect(lue.debutEpreuves == "2031-06-02")
            #expect(lue.reglement == Copie.reglement(session, version: 1))

            let centre = try #require(try await copie.referentiel.centre(copie.uai.value, session: session))
            #expect(centre.nom == "Lycée Jean Moulin" && centre.commune == "Lyon" && centre.secteur == .prive)
            #expect(centre.habilitationCFA && !centre.habilitationFPC && centre.gestionAutonome && !centre.retire)
            #expect(centre.roles == [.epreuve, .correction])
            #expect(centre.salles == [Salle(nom: "B12", places: 30), Salle(nom: "A01", places: 24)])
            #expect(try await copie.referentiel.centres(session: session).map(\.uai) == [copie.uai.value])

            try await copie.livrer(CentreRetire(session: session, uai: copie.uai, retirePar: "test"))
            #expect(try await copie.referentiel.centre(copie.uai.value, session: session)?.retire == true)
            try await copie.livrer(SessionClose(session: session, academie: "A01", closePar: "test"))
            let close = try #require(try await copie.referentiel.session(session))
            #expect(close.close && close.servicesOuverts.isEmpty)
        }
    }

    @Test("un événement rejoué ne change rien, le crochet le sait", arguments: services)
    func rejeu(service: String) async throws {
        try await Copie.avec(service) { copie in
            let session = copie.session
            let evenements: [any MessageContract] = [
                SessionOuverte(session: session, academie: "A01", libelle: "BP juin", ouvertePar: "test"),
                ServiceOuvert(session: session, service: .collecteNotes, ouvertPar: "test"),
                Copie.reglement(session, version: 1),
                CentreDeclare(copie.centre(revision: 1, nom: "Lycée Jean Moulin", salles: [Salle(nom: "B12", places: 30)])),
            ]
            for evenement in evenements + evenements { try await copie.livrer(evenement) }

            #expect(await copie.crochet.vus == [
                "sessionOuverte", "serviceOuvert", "reglement v1 nouveau", "centre r1 nouveau",
                "sessionOuverte", "serviceOuvert", "reglement v1 deja connu", "centre r1 deja connu",
            ])
            let lue = try #require(try await copie.referentiel.session(session))
            #expect(lue.servicesOuverts == [.collecteNotes] && lue.reglement?.version == 1)
            let centre = try #require(try await copie.referentiel.centre(copie.uai.value, session: session))
            #expect(centre.salles == [Salle(nom: "B12", places: 30)])
            #expect(try await copie.servicesListes() == 1)
        }
    }

    @Test("une révision plus ancienne arrivée en retard ne change rien", arguments: services)
    func desordre(service: String) async throws {
        try await Copie.avec(service) { copie in
            let session = copie.session
            // The centre and the règlement come before the session's own event (a redelivery).
            try await copie.livrer(CentreModifie(copie.centre(revision: 2, nom: "Lycée Jean Moulin", salles: [Salle(nom: "C1", places: 12)])))
            try await copie.livrer(Copie.reglement(session, version: 2))
            try await copie.livrer(CentreDeclare(copie.centre(revision: 1, nom: "Ancien nom", salles: [Salle(nom: "B12", places: 30)])))
            try await copie.livrer(Copie.reglement(session, version: 1))
            try await copie.livrer(SessionOuverte(session: session, academie: "A02", libelle: "BP juin", ouvertePar: "test"))

            #expect(await copie.crochet.vus == [
                "centre r2 nouveau", "reglement v2 nouveau", "centre r1 deja connu", "reglement v1 deja connu", "sessionOuverte",
            ])
            let lue = try #require(try await copie.referentiel.session(session))
            #expect(lue.academie == "A02" && lue.reglement == Copie.reglement(session, version: 2))
            let centre = try #require(try await copie.referentiel.centre(copie.uai.value, session: session))
            #expect(centre.nom == "Lycée Jean Moulin" && centre.salles == [Salle(nom: "C1", places: 12)])

            // A withdrawn centre declared again (a newer revision) is back.
            try await copie.livrer(CentreRetire(session: session, uai: copie.uai, retirePar: "test"))
            try await copie.livrer(CentreModifie(copie.centre(revision: 3, nom: "Lycée Jean Moulin", salles: [])))
            let revenu = try #require(try await copie.referentiel.centre(copie.uai.value, session: session))
            #expect(!revenu.retire && revenu.salles.isEmpty)
        }
    }

    @Test("un échec du crochet annule le changement avec lui")
    func crochetEnEchec() async throws {
        try await Copie.avec("Inscription", crochetEnEchec: true) { copie in
            await #expect(throws: Copie.Refus.self) {
                try await copie.livrer(SessionOuverte(session: copie.session, academie: "A01", libelle: "BP juin", ouvertePar: "test"))
            }
            let session = try await copie.referentiel.session(copie.session)
            #expect(session == nil)
        }
    }

    @Test("la migration de mise en forme garde les lignes copiées avant", arguments: [("Organisation", 3), ("Evaluation", 6)])
    func migration(service: String, version: Int) async throws {
        try await TestStack.withScratchSchema("ref") { database in
            let migrations = try Copie.migrations(service)
            try await MigrationRunner(database: database).apply(migrations.filter { $0.version < version })
            let uai = try Copie.uaiValide()
            try await database.query(SQL.query(
                "INSERT INTO \(database.table("sessions")) (code, academie, libelle) VALUES ('BP-2031-06-N', 'A01', 'BP juin')"))
            // The centre as each service's first migration shaped it.
            try await database.query(service == "Organisation"
                ? SQL.query("""
                    INSERT INTO \(database.table("centres")) (session, uai, nom, commune, roles, gestion_autonome, revision)
                    VALUES ('BP-2031-06-N', $1, 'Lycée Jean Moulin', 'Lyon', '{epreuve}', true, 4)
                    """, uai.value)
                : SQL.query("""
                    INSERT INTO \(database.table("centres")) (session, uai, nom, commune, roles, revision)
                    VALUES ('BP-2031-06-N', $1, 'Lycée Jean Moulin', 'Lyon', '{epreuve}', 4)
                    """, uai.value))
            try await MigrationRunner(database: database).apply(migrations)

            let referentiel = ReferentielReglementation(database: database)
            let session = try SessionCode("BP-2031-06-N")
            let lue = try #require(try await referentiel.session(session))
            #expect(lue.academie == "A01" && lue.libelle == "BP juin")
            let centre = try #require(try await referentiel.centre(uai.value, session: session))
            #expect(centre.nom == "Lycée Jean Moulin" && centre.roles == [.epreuve] && centre.gestionAutonome == (service == "Organisation"))
            // The revision is kept: an older event still changes nothing, a newer one fills every field.
            try await database.transaction { connection in
                let ancien = try await referentiel.enregistrer(Copie.centre(session, uai: uai, revision: 4, nom: "Autre", salles: []), on: connection)
                let nouveau = try await referentiel.enregistrer(Copie.centre(session, uai: uai, revision: 5, nom: "Autre", salles: []), on: connection)
                #expect(!ancien && nouveau)
            }
            #expect(try await referentiel.centre(uai.value, session: session)?.nom == "Autre")
        }
    }
}

/// One service's schema in a scratch schema of the test stack, the shared copy on it, and a
/// hook that notes what it is told.
struct Copie: Sendable {
    let database: Database
    let referentiel: ReferentielReglementation
    let handlers: MessageHandlers
    let crochet: Crochet
    let session: SessionCode
    let uai: UAI

    struct Refus: Error {}

    static func avec(_ service: String, crochetEnEchec: Bool = false, _ body: (Copie) async throws -> Void) async throws {
        try await TestStack.withScratchSchema("ref") { database in
            try await MigrationRunner(database: database).apply(try migrations(service))
            let referentiel = ReferentielReglementation(database: database)
            let crochet = Crochet()
            let handlers = referentiel.handlers { changement, context in
                #expect(context.metadata.producer == "reglementation")
                await crochet.noter(changement)
                if crochetEnEchec { throw Refus() }
            }
            try await body(Copie(
                database: database, referentiel: referentiel, handlers: handlers, crochet: crochet,
                session: try SessionCode("BP-2031-06-N"), uai: try uaiValide()))
        }
    }

    static func uaiValide() throws -> UAI {
        try UAI("0691234" + String(try #require(UAI.checkLetter(for: "0691234"))))
    }

    /// The service's own migrations, read from the repository.
    static func migrations(_ service: String) throws -> [Migration] {
        try Migration.load(
            source: service.lowercased(),
            directory: TestStack.repositoryDirectory.appendingPathComponent("Services/\(service)/Migrations"))
    }

    /// Handles `evenement` as the consumer does: its handler, in a transaction.
    func livrer(_ evenement: some MessageContract) async throws {
        let corps = Array(try MessageCoding.encoder().encode(Envelope(evenement, producer: "reglementation")))
        let metadata = try MessageCoding.decoder().decode(EnvelopeMetadata.self, from: Data(corps))
        guard case .single(let handler)? = handlers.entries[metadata.type] else {
            Issue.record("no handler for \(metadata.type)")
            return
        }
        let outbox = OutboxWriter(database: database, producer: "test")
        try await database.transaction { connection in
            try await handler(corps, MessageContext(metadata: metadata, connection: connection, outbox: outbox, logger: database.logger))
        }
    }

    /// How many step services the session's row lists (a set read back would hide a duplicate).
    func servicesListes() async throws -> Int {
        let rows = try await database.query(SQL.query(
            "SELECT cardinality(services)::int8 FROM \(database.table("sessions")) WHERE code = $1", session.value))
        for try await n in rows.decode(Int64.self) { return Int(n) }
        return 0
    }

    func centre(revision: Int, nom: String, salles: [Salle]) -> CentreEtat {
        Self.centre(session, uai: uai, revision: revision, nom: nom, salles: salles)
    }

    static func centre(_ session: SessionCode, uai: UAI, revision: Int, nom: String, salles: [Salle]) -> CentreEtat {
        CentreEtat(
            session: session, uai: uai, nom: nom, commune: "Lyon", secteur: .prive, habilitationCFA: true,
            habilitationFPC: false, roles: [.epreuve, .correction], gestionAutonome: true, salles: salles, revision: revision)
    }

    static func reglement(_ session: SessionCode, version: Int) -> ReglementPublie {
        ReglementPublie(
            session: session, academie: "A01", version: version, publiePar: "test", specialites: [],
            piecesJustificatives: [PieceJustificative(
                code: "IDENTITE", libelle: "Pièce d'identité (version \(version))", categories: CategorieCandidat.allCases,
                obligatoire: true)])
    }
}

/// What the hook was told, in order.
actor Crochet {
    private(set) var vus: [String] = []

    func noter(_ changement: ChangementReferentiel) {
        switch changement {
        case .sessionOuverte: vus.append("sessionOuverte")
        case .sessionClose: vus.append("sessionClose")
        case .serviceOuvert: vus.append("serviceOuvert")
        case .serviceFerme: vus.append("serviceFerme")
        case .reglementPublie(let r, let nouveau): vus.append("reglement v\(r.version) \(nouveau ? "nouveau" : "deja connu")")
        case .centre(let c, let nouveau): vus.append("centre r\(c.revision) \(nouveau ? "nouveau" : "deja connu")")
        case .centreRetire: vus.append("centreRetire")
        }
    }
}
