import Contracts
import Domain
import Foundation
import Hummingbird
import Messaging
import MoteurDeliberation
import PostgresNIO
import ServiceKit
import Storage

/// A jury's sitting, from its opening to its closing: the projected deliberation of its
/// candidates (the engine, then the jury's interventions), the points de jury and decisions with
/// their reasons (journal, hash-chained), the closing that arrêts the results and publishes them,
/// the reopening. Every change locks the jury's row: two présidents' clicks never fork the
/// journal, a closing never misses an intervention.
struct Seance: Sendable {
    let database: Database
    let projection: Projection
    let jurys: JuryRepository
    let journal: Journal
    let depot: SeanceRepository
    let outbox: OutboxWriter

    private var logger: Logger { database.logger }

    /// Juries sit only while the gestionnaire has the session's deliberation service open
    /// (« ouvre les services des délibérations »); preparing them comes before.
    func exigerServiceOuvert(_ jury: Jury) async throws {
        let session = try SessionCode(jury.session)
        guard let copie = try await projection.referentiel.session(session), copie.servicesOuverts.contains(.deliberation) else {
            throw ServiceError.conflict(
                "deliberation.service_ferme",
                "Le service des délibérations de la session \(session) n'est pas ouvert : le jury \(jury.code) ne peut pas siéger.")
        }
    }

    /// The day the jury deliberates: its date when set, else today.
    static func jour(_ jury: Jury) throws(ServiceError) -> Jour {
        if let date = jury.date, let jour = try? Jour(iso: date) { return jour }
        return try SimulationRoutes.aujourdhuiOu422()
    }

    /// The jury's candidates deliberated now, interventions applied.
    func lignes(_ jury: Jury) async throws -> [Projection.Ligne] {
        let ids = try await jurys.candidats(jury: jury.id)
        guard !ids.isEmpty else { return [] }
        return try await projection.projeter(
            session: try SessionCode(jury.session), ids: ids, date: try Self.jour(jury), interventions: try await depot.interventions(ids))
    }

    // MARK: Opening

    /// The gestionnaire opens the jury: every candidate's grades must be there, unless he records
    /// why the jury opens without them (`motif`).
    func ouvrir(_ jury: Jury, motif: String?, par appelant: InternalIdentity) async throws {
        try await exigerServiceOuvert(jury)
        let lignes = try await lignes(jury)
        guard !lignes.isEmpty else {
            throw ServiceError.conflict("jury.vide", "Le jury \(jury.code) n'a aucun candidat : répartissez les candidats avant de l'ouvrir.")
        }
        let incomplets = lignes.filter { !$0.complet }
        if !incomplets.isEmpty, motif == nil {
            throw ServiceError(
                .conflict, code: "jury.notes_manquantes",
                message: "\(incomplets.count) candidat(s) du jury \(jury.code) ont des notes manquantes : complétez-les, "
                    + "ou indiquez le motif de l'ouverture malgré elles.",
                details: incomplets.prefix(50).map { ligne in
                    .init(location: ligne.dossier.numero, code: "jury.notes_manquantes",
                          message: ligne.erreur ?? ligne.manques.map { "\($0.unite) : \($0.motif)" }.joined(separator: ", "))
                })
        }
        try await database.transaction { connection in
            guard try await jurys.verrouiller(jury.id, on: connection) == .preparation else {
                throw ServiceError.conflict("jury.etat", "Le jury \(jury.code) est déjà ouvert ou clos.")
            }
            try await jurys.changerEtat(jury.id, .ouvert, on: connection)
            try await journal.ajouter(
                jury: jury.id, .ouverture, apres: "\(lignes.count) candidat(s), \(incomplets.count) incomplet(s)",
                motif: incomplets.isEmpty ? nil : motif, par: appelant.subject, role: appelant.role.rawValue, on: connection)
        }
        logger.info("jury opened", metadata: ["session": "\(jury.session)", "jury": "\(jury.code)", "incomplets": "\(incomplets.count)"])
    }

    // MARK: Interventions

    struct Demande: Sendable {
        var numero: String
        /// nil: the decision.
        var unite: String?
        var note: Note?
        var motif: String
    }

    /// Records a point de jury (a unit's grade of this session raised) or the decision raised to
    /// admis, for a candidate of the jury, with its reason; returns his new line.
    func intervenir(_ jury: Jury, _ demande: Demande, par appelant: InternalIdentity) async throws -> Projection.Ligne {
        try await exigerServiceOuvert(jury)
        return try await database.transaction { connection in
            guard try await jurys.verrouiller(jury.id, on: connection) == .ouvert else {
                throw ServiceError.conflict(
                    "jury.etat", "Le jury \(jury.code) n'est pas ouvert : \(jury.etat == .clos ? "clos, il ne change plus sans réouverture par le gestionnaire" : "le gestionnaire ne l'a pas encore ouvert").")
            }
            let lignes = try await lignes(jury)
            guard let ligne = lignes.first(where: { $0.dossier.numero == demande.numero }) else {
                throw ServiceError.notFound("Aucun candidat n° \(demande.numero.prefix(20)) dans le jury \(jury.code).")
            }
            guard let deliberation = ligne.deliberation, ligne.complet else {
                throw ServiceError.conflict("jury.candidat_incomplet", "Le candidat \(demande.numero) a des notes manquantes : il ne peut pas encore être délibéré.")
            }
            let avant: String
            let apres: String
            if let unite = demande.unite {
                guard case .valeur(let nouvelle)? = demande.note else {
                    throw ServiceError.invalid("intervention.note", "Indiquez la note que le jury attribue (entre 0 et 20).",
                                               details: [.init(location: "note", code: "intervention.note", message: "Note attendue.")])
                }
                guard case .valeur(let actuelle)? = ligne.dossier.notes[unite] else {
                    throw ServiceError.invalid(
                        "intervention.unite", "Unité \(unite.prefix(20)) : seule une note de cette session peut être relevée par le jury (pas un bénéfice, une dispense, une absence).",
                        details: [.init(location: "unite", code: "intervention.unite", message: "Pas de note de cette session à relever.")])
                }
                guard nouvelle > actuelle else {
                    throw ServiceError.invalid(
                        "intervention.note", "Unité \(unite) : les points de jury relèvent la note (\(actuelle.affichage) aujourd'hui) ; \(nouvelle.affichage) ne la relève pas.",
                        details: [.init(location: "note", code: "intervention.note", message: "La note doit dépasser \(actuelle.affichage).")])
                }
                avant = (ligne.interventions.first { $0.unite == unite }?.note).flatMap { try? Centiemes($0).affichage } ?? actuelle.affichage
                apres = nouvelle.affichage
                try await depot.relever(
                    ligne.dossier.id, unite: unite, note: nouvelle.valeur, motif: demande.motif, par: appelant.subject, on: connection)
            } else {
                guard deliberation.decision == .ajourne, deliberation.moyenne != nil else {
                    throw ServiceError.conflict(
                        "intervention.decision",
                        "Le candidat \(demande.numero) est \(deliberation.decision.libelle) : le jury ne relève à admis qu'un candidat ajourné sur sa moyenne (pas une absence non justifiée).")
                }
                avant = deliberation.decision.libelle
                apres = Decision.admis.libelle
                try await depot.declarerAdmis(ligne.dossier.id, motif: demande.motif, par: appelant.subject, on: connection)
            }
            try await journal.ajouter(
                jury: jury.id, .intervention, candidature: ligne.dossier.id, numero: ligne.dossier.numero, unite: demande.unite ?? "décision",
                avant: avant, apres: apres, motif: demande.motif, par: appelant.subject, role: appelant.role.rawValue, on: connection)
            logger.info("jury intervention", metadata: [
                "jury": "\(jury.code)", "candidat": "\(demande.numero)", "unite": "\(demande.unite ?? "décision")", "apres": "\(apres)"])
            guard let nouvelle = try await projection.projeter(
                session: try SessionCode(jury.session), ids: [ligne.dossier.id], date: try Self.jour(jury),
                interventions: try await depot.interventions([ligne.dossier.id], on: connection)).first
            else { throw ServiceError.notFound("Candidat introuvable.") }
            return nouvelle
        }
    }

    // MARK: Closing and reopening

    struct Cloture: ResponseEncodable, Sendable {
        var candidats: Int
        var admis: Int
        var versionPV: Int
    }

    /// The président closes the jury: every candidate decided, the results stored with their
    /// revision, `deliberation.resultat.arrete` for each and `deliberation.jury.clos`, all in one
    /// transaction with the journal's row; the PV de tenue gets its next version.
    func clore(_ jury: Jury, par appelant: InternalIdentity) async throws -> Cloture {
        try await exigerServiceOuvert(jury)
        let cloture = try await database.transaction { connection -> Cloture in
            guard try await jurys.verrouiller(jury.id, on: connection) == .ouvert else {
                throw ServiceError.conflict("jury.etat", "Le jury \(jury.code) n'est pas ouvert : il ne peut pas être clos.")
            }
            let lignes = try await lignes(jury)
            let incomplets = lignes.filter { !$0.complet }
            guard incomplets.isEmpty, !lignes.isEmpty else {
                throw ServiceError.conflict(
                    "jury.incomplet",
                    "Le jury \(jury.code) ne peut pas être clos : \(incomplets.count) candidat(s) ont des notes manquantes (\(incomplets.prefix(10).map(\.dossier.numero).joined(separator: ", "))).")
            }
            let revisions = try await depot.revisions(lignes.map(\.dossier.id), on: connection)
            let session = try SessionCode(jury.session)
            let encoder = MessageCoding.encoder()
            var entrees: [OutboxWriter.Entry] = []
            var arretes: [SeanceRepository.Arrete] = []
            var signes: [JuryClos.Arrete] = []
            for ligne in lignes {
                guard let deliberation = ligne.deliberation else { continue }
                let revision = (revisions[ligne.dossier.id] ?? 0) + 1
                arretes.append(.init(dossier: ligne.dossier, deliberation: deliberation, revision: revision,
                                     json: String(decoding: try encoder.encode(deliberation), as: UTF8.self)))
                let resultat = Self.evenement(ligne, deliberation, jury: jury, session: session, revision: revision)
                signes.append(JuryClos.Arrete(resultat))
                entrees.append(try outbox.entry(resultat, aggregate: "candidature:\(ligne.dossier.id.uuidString.lowercased())"))
            }
            let admis = arretes.filter { $0.deliberation.decision == .admis }.count
            try await depot.arreter(arretes, jury: jury.id, session: jury.session, on: connection)
            try await journal.ajouter(
                jury: jury.id, .cloture, apres: "\(lignes.count) candidat(s), \(admis) admis", par: appelant.subject,
                role: appelant.role.rawValue, on: connection)
            try await jurys.changerEtat(jury.id, .clos, versionPV: true, on: connection)
            let cloture = Cloture(candidats: lignes.count, admis: admis, versionPV: jury.versionPV + 1)
            entrees.append(try outbox.entry(
                JuryClos(session: session, jury: jury.code, specialite: jury.specialite, candidats: lignes.count, admis: admis,
                         versionPV: cloture.versionPV, closPar: appelant.subject, resultats: signes),
                aggregate: "jury:\(jury.id.uuidString.lowercased())"))
            try await outbox.write(entrees, on: connection, logger: logger)
            return cloture
        }
        logger.info("jury closed", metadata: [
            "session": "\(jury.session)", "jury": "\(jury.code)", "candidats": "\(cloture.candidats)", "admis": "\(cloture.admis)",
            "pv": "\(cloture.versionPV)"])
        return cloture
    }

    /// The gestionnaire reopens a closed jury, with his reason: the jury may change again and will
    /// close with a new PV version and higher result revisions.
    func rouvrir(_ jury: Jury, motif: String, par appelant: InternalIdentity) async throws {
        try await exigerServiceOuvert(jury)
        try await database.transaction { connection in
            guard try await jurys.verrouiller(jury.id, on: connection) == .clos else {
                throw ServiceError.conflict("jury.etat", "Le jury \(jury.code) n'est pas clos : il n'y a rien à rouvrir.")
            }
            try await jurys.changerEtat(jury.id, .ouvert, on: connection)
            try await journal.ajouter(jury: jury.id, .reouverture, motif: motif, par: appelant.subject, role: appelant.role.rawValue, on: connection)
        }
        logger.info("jury reopened", metadata: ["session": "\(jury.session)", "jury": "\(jury.code)"])
    }

    static func evenement(_ ligne: Projection.Ligne, _ d: Deliberation, jury: Jury, session: SessionCode, revision: Int) -> ResultatArrete {
        let relevees = Set(ligne.interventions.filter { !$0.surDecision }.map(\.unite))
        return ResultatArrete(
            session: session, candidature: ligne.dossier.id, numero: ligne.dossier.numero, specialite: ligne.dossier.specialite,
            jury: jury.code, decision: d.decision.rawValue, moyenne: d.moyenne.map { Self.canonique($0.centiemesTronques) },
            decisionDuJury: ligne.decisionDuJury,
            unites: d.unites.map { u in
                ResultatArrete.Unite(
                    unite: u.unite, libelle: u.libelle, coefficient: u.coefficient, facultative: u.facultative,
                    note: Self.note(u), statut: u.statut.rawValue, sessionOrigine: u.sessionDOrigine?.value,
                    pointsDeJury: relevees.contains(u.unite))
            },
            acquis: d.acquis.map(Self.acquis), reportables: d.reportables.map(Self.acquis),
            attestationDeReussite: d.attestationDeReussite, sessionDeRemplacement: d.sessionDeRemplacement, revision: revision)
    }

    static func acquis(_ u: UniteAcquise) -> ResultatArrete.Acquis {
        .init(unite: u.unite, note: u.note.canonique, session: u.session.value, obtenueLe: u.obtenueLe.iso,
              valableJusquAu: u.valableJusquAu.iso)
    }

    /// The grade a unit shows on the relevé: its value, or the code of this session's result.
    static func note(_ ligne: LigneUnite) -> String? {
        switch ligne.statut {
        case .absente: "ABS"
        case .absenceJustifiee: "ABJ"
        case .neutralisee: "DI"
        case .dispensee, .nonPassee, .nonSaisie: nil
        default: ligne.note?.canonique
        }
    }

    /// Hundredths as `10.64`.
    static func canonique(_ centiemes: Int) -> String {
        "\(centiemes / 100).\(centiemes % 100 < 10 ? "0" : "")\(centiemes % 100)"
    }
}
