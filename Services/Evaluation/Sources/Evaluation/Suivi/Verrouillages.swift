import Contracts
import Domain
import Foundation
import Hummingbird
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// Locking and unlocking a lot's entry, and the consolidation of a unit once all its lots are
/// locked. Each runs in one transaction with its events (outbox) and its row in the lot's keyed
/// audit chain. Once the unit is consolidated, a lot is unlocked only by a reopening (gestionnaire,
/// with a reason, recorded in `reouvertures` and in the chain), which withdraws the consolidation.
struct Verrouillages: Sendable {
    let lots: LotRepository
    let outbox: OutboxWriter
    let cle: CleAudit

    var database: Database { lots.database }
    var logger: Logger { database.logger }
    private var repository: VerrouillageRepository { VerrouillageRepository(database: database) }

    struct Resultat: ResponseEncodable, Decodable, Sendable {
        var lot: UUID
        var verrouille: Bool
        /// True when this lock completed its unit and its grades were consolidated.
        var uniteConsolidee: Bool
    }

    /// Locks the lot: its grader, the établissement for its CCF lot, or the gestionnaire. Every
    /// copy must have a grade (or an absence recorded by the centre).
    func verrouiller(_ id: UUID, par appelant: InternalIdentity) async throws -> Resultat {
        guard let etat = try await lots.etat(id) else { throw Self.inconnu }
        switch appelant.role {
        case .correcteur, .interrogateur: guard Habilitation.estCorrecteur(appelant, etat) else { throw Habilitation.refusLot }
        case .etablissement:
            guard etat.nature == "ccf", appelant.hasScope("uai", etat.centre) else {
                throw ServiceError.forbidden("Accès refusé : un établissement ne verrouille que ses lots CCF.")
            }
        case .gestionnaire: break
        default: throw ServiceError.forbidden()
        }
        let consolidee = try await database.transaction { connection -> Bool in
            guard let etat = try await repository.verrouillerLot(id, on: connection) else { throw Self.inconnu }
            let (deja, session, unite) = (etat.verrouille, etat.session, etat.unite)
            if deja { throw ServiceError.conflict("lot.deja_verrouille", "Ce lot est déjà verrouillé.") }
            let manquantes = try await repository.manquantes(lot: id, on: connection)
            if !manquantes.isEmpty {
                let exemples = manquantes.prefix(10).joined(separator: ", ")
                throw ServiceError.invalid(
                    "lot.notes_manquantes",
                    "Le lot ne peut pas être verrouillé : \(manquantes.count) copie(s) sans note (\(exemples)\(manquantes.count > 10 ? "…" : "")).",
                    details: manquantes.prefix(100).map { .init(location: $0, code: "note.manquante", message: "Copie \($0) sans note.") })
            }
            try await repository.marquer(id, verrouille: true, par: appelant.subject, on: connection)
            try await repository.historique(id, verrouille: true, par: appelant.subject, role: appelant.role.rawValue, motif: nil, on: connection)
            try await chainer(id, etat, .verrouillage, appelant, motif: nil, on: connection)
            let copies = try await repository.compte(id, on: connection)
            try await outbox.write(
                LotVerrouille(session: try SessionCode(session), lot: id.uuidString.lowercased(), unite: unite, copies: copies,
                              verrouille: true, par: appelant.subject, motif: nil),
                aggregate: "lot:\(id.uuidString.lowercased())", on: connection, logger: logger)
            let consolidee = try await consolider(session: session, unite: unite, on: connection)
            try await AnnoncesSaisies.annoncer([], lots: [id], on: connection, database: database)
            return consolidee
        }
        lots.oublier(id)
        return Resultat(lot: id, verrouille: true, uniteConsolidee: consolidee)
    }

    /// Only the gestionnaire unlocks, with a reason (kept in the history, the chain and the event).
    /// Once the lot's unit is consolidated, a plain unlock is refused: only a reopening
    /// (`reouverture: true`, recorded in `reouvertures`) may unlock it, and it withdraws the
    /// consolidation; a reopening of a unit not consolidated is refused too (an unlock suffices).
    func deverrouiller(_ id: UUID, motif: String, par appelant: InternalIdentity, reouverture: Bool = false) async throws -> Resultat {
        guard appelant.role == .gestionnaire else {
            throw ServiceError.forbidden(reouverture
                ? "Seul le gestionnaire peut rouvrir un lot dont les notes sont consolidées."
                : "Seul le gestionnaire peut déverrouiller un lot.")
        }
        let motif = ChaineAudit.motif(motif)
        guard (3...500).contains(motif.count) else {
            let quoi = reouverture ? "de la réouverture" : "du déverrouillage"
            throw ServiceError.invalid("deverrouillage.motif", "Le motif \(quoi) est obligatoire (3 à 500 caractères).",
                                       details: [.init(location: "motif", code: "deverrouillage.motif", message: "Motif obligatoire.")])
        }
        try await database.transaction { connection in
            guard let etat = try await repository.verrouillerLot(id, on: connection) else { throw Self.inconnu }
            let (session, unite) = (etat.session, etat.unite)
            guard etat.verrouille else { throw ServiceError.conflict("lot.non_verrouille", "Ce lot n'est pas verrouillé.") }
            let consolidee = try await repository.estConsolidee(session: session, unite: unite, on: connection)
            if consolidee && !reouverture {
                throw ServiceError.conflict(
                    "lot.consolide",
                    "Les notes de l'unité \(unite) sont consolidées : ce lot ne peut plus être déverrouillé. Seul le gestionnaire peut le rouvrir, en motivant la réouverture (POST /v1/lots/\(id.uuidString.lowercased())/reouverture).")
            }
            if !consolidee && reouverture {
                throw ServiceError.conflict(
                    "lot.non_consolide", "Les notes de l'unité \(unite) ne sont pas consolidées : un déverrouillage suffit, sans réouverture.")
            }
            try await repository.marquer(id, verrouille: false, par: appelant.subject, on: connection)
            try await repository.historique(id, verrouille: false, par: appelant.subject, role: appelant.role.rawValue, motif: motif, on: connection)
            if reouverture {
                try await repository.reouverture(id, session: session, unite: unite, par: appelant.subject, motif: motif, on: connection)
            }
            try await chainer(id, etat, reouverture ? .reouverture : .deverrouillage, appelant, motif: motif, on: connection)
            try await repository.retirerConsolidation(session: session, unite: unite, on: connection)
            try await outbox.write(
                LotVerrouille(session: try SessionCode(session), lot: id.uuidString.lowercased(), unite: unite,
                              copies: try await repository.compte(id, on: connection), verrouille: false, par: appelant.subject, motif: motif),
                aggregate: "lot:\(id.uuidString.lowercased())", on: connection, logger: logger)
            try await AnnoncesSaisies.annoncer([], lots: [id], on: connection, database: database)
        }
        lots.oublier(id)
        return Resultat(lot: id, verrouille: false, uniteConsolidee: false)
    }

    /// Appends the lock, unlock or reopening to the lot's audit chain and moves its head (the
    /// lot's row is locked by the caller's transaction).
    private func chainer(
        _ lot: UUID, _ etat: SaisieRepository.EtatLot, _ nature: ChaineAudit.Nature, _ appelant: InternalIdentity, motif: String?,
        on connection: PostgresConnection
    ) async throws {
        let ligne = ChaineAudit.ligne(ChaineAudit.Ligne(
            lot: lot, seq: etat.seq + 1, numero: "", avant: nil,
            apres: nature == .verrouillage ? "verrouille" : "deverrouille", revision: 0, par: appelant.subject,
            role: appelant.role.rawValue, source: Habilitation.source(appelant.role), commande: UUID(), instant: Int64(Date().timeIntervalSince1970 * 1_000_000),
            precedent: etat.hash, nature: nature, motif: motif), cle: cle)
        try await SaisieRepository(database: database).ajouter([ligne], tetes: [(lot: lot, seq: ligne.seq, hash: ligne.empreinte)], on: connection)
    }

    /// When every lot of the unit is locked and every copy of it is in a lot: the unit's grades
    /// (an absence recorded by the centre standing for a missing grade) in
    /// `evaluation.notes.consolidees`. Returns whether it happened.
    func consolider(session: String, unite: String, on connection: PostgresConnection) async throws -> Bool {
        guard try await repository.resteAVerrouiller(session: session, unite: unite, on: connection) == 0 else { return false }
        guard let description = try await lots.unite(session: session, unite: unite) else { return false }
        var notes: [NotesConsolidees.NoteCopie] = []
        for (numero, texte) in try await repository.notes(session: session, unite: unite, on: connection) {
            guard let texte, let note = try? Note.parse(texte, pas: .centieme) else { return false }
            notes.append(.init(numeroAnonymat: numero, note: note))
        }
        try await outbox.write(
            NotesConsolidees(session: try SessionCode(session), specialite: description.specialite, epreuve: description.epreuve,
                             unite: unite, notes: notes),
            aggregate: "unite:\(session):\(unite)", on: connection, logger: logger)
        try await repository.consolider(session: session, unite: unite, notes: notes.count, on: connection)
        return true
    }

    static let inconnu = ServiceError.notFound("Ce lot n'existe pas.")
}
