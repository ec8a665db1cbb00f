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
            let l = database.table("lots")
            guard let etat = try await verrouillerLot(id, on: connection) else { throw Self.inconnu }
            let (deja, session, unite) = (etat.verrouille, etat.session, etat.unite)
            if deja { throw ServiceError.conflict("lot.deja_verrouille", "Ce lot est déjà verrouillé.") }
            let manquantes = try await manquantes(lot: id, on: connection)
            if !manquantes.isEmpty {
                let exemples = manquantes.prefix(10).joined(separator: ", ")
                throw ServiceError.invalid(
                    "lot.notes_manquantes",
                    "Le lot ne peut pas être verrouillé : \(manquantes.count) copie(s) sans note (\(exemples)\(manquantes.count > 10 ? "…" : "")).",
                    details: manquantes.prefix(100).map { .init(location: $0, code: "note.manquante", message: "Copie \($0) sans note.") })
            }
            try await connection.query(SQL.query(
                "UPDATE \(l) SET verrouille = true, verrouille_par = $2, verrouille_le = now() WHERE id = $1", id, appelant.subject),
                logger: logger)
            try await historique(id, true, appelant, motif: nil, on: connection)
            try await chainer(id, etat, .verrouillage, appelant, motif: nil, on: connection)
            let copies = try await compte(id, on: connection)
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
            let l = database.table("lots")
            guard let etat = try await verrouillerLot(id, on: connection) else { throw Self.inconnu }
            let (session, unite) = (etat.session, etat.unite)
            guard etat.verrouille else { throw ServiceError.conflict("lot.non_verrouille", "Ce lot n'est pas verrouillé.") }
            let consolidee = try await estConsolidee(session: session, unite: unite, on: connection)
            if consolidee && !reouverture {
                throw ServiceError.conflict(
                    "lot.consolide",
                    "Les notes de l'unité \(unite) sont consolidées : ce lot ne peut plus être déverrouillé. Seul le gestionnaire peut le rouvrir, en motivant la réouverture (POST /v1/lots/\(id.uuidString.lowercased())/reouverture).")
            }
            if !consolidee && reouverture {
                throw ServiceError.conflict(
                    "lot.non_consolide", "Les notes de l'unité \(unite) ne sont pas consolidées : un déverrouillage suffit, sans réouverture.")
            }
            try await connection.query(SQL.query(
                "UPDATE \(l) SET verrouille = false, verrouille_par = NULL, verrouille_le = NULL WHERE id = $1", id), logger: logger)
            try await historique(id, false, appelant, motif: motif, on: connection)
            if reouverture {
                try await connection.query(SQL.query(
                    "INSERT INTO \(database.table("reouvertures")) (lot, session, unite, par, motif) VALUES ($1, $2, $3, $4, $5)",
                    id, session, unite, appelant.subject, motif), logger: logger)
            }
            try await chainer(id, etat, reouverture ? .reouverture : .deverrouillage, appelant, motif: motif, on: connection)
            try await connection.query(SQL.query(
                "DELETE FROM \(database.table("consolidations")) WHERE session = $1 AND unite = $2", session, unite), logger: logger)
            try await outbox.write(
                LotVerrouille(session: try SessionCode(session), lot: id.uuidString.lowercased(), unite: unite,
                              copies: try await compte(id, on: connection), verrouille: false, par: appelant.subject, motif: motif),
                aggregate: "lot:\(id.uuidString.lowercased())", on: connection, logger: logger)
            try await AnnoncesSaisies.annoncer([], lots: [id], on: connection, database: database)
        }
        lots.oublier(id)
        return Resultat(lot: id, verrouille: false, uniteConsolidee: false)
    }

    /// A lot under its row lock: its state and the head of its audit chain.
    private func verrouillerLot(_ id: UUID, on connection: PostgresConnection) async throws -> SaisieRepository.EtatLot? {
        let rows = try await connection.query(SQL.query(
            "SELECT verrouille, session, unite, audit_seq, audit_hash FROM \(database.table("lots")) WHERE id = $1 FOR UPDATE", id),
            logger: logger)
        for try await (verrouille, session, unite, seq, hash) in rows.decode((Bool, String, String, Int64, String).self) {
            return SaisieRepository.EtatLot(session: session, unite: unite, ouvert: false, verrouille: verrouille, seq: seq, hash: hash)
        }
        return nil
    }

    private func estConsolidee(session: String, unite: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(SQL.query(
            "SELECT true FROM \(database.table("consolidations")) WHERE session = $1 AND unite = $2", session, unite), logger: logger)
        for try await _ in rows.decode(Bool.self) { return true }
        return false
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

    /// Copies of the lot with neither a grade nor an absence recorded.
    func manquantes(lot: UUID, on connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.query(SQL.query(
            """
            SELECT c.numero FROM \(database.table("copies")) c
            WHERE c.lot = $1 AND c.absence IS NULL
              AND NOT EXISTS (SELECT 1 FROM \(database.table("notes")) n WHERE n.lot = c.lot AND n.numero = c.numero)
            ORDER BY c.numero
            """, lot), logger: logger)
        var numeros: [String] = []
        for try await numero in rows.decode(String.self) { numeros.append(numero) }
        return numeros
    }

    private func compte(_ lot: UUID, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(SQL.query(
            "SELECT count(*)::int8 FROM \(database.table("copies")) WHERE lot = $1", lot), logger: logger)
        for try await n in rows.decode(Int64.self) { return Int(n) }
        return 0
    }

    private func historique(_ lot: UUID, _ verrouille: Bool, _ appelant: InternalIdentity, motif: String?, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "INSERT INTO \(database.table("verrouillages")) (lot, verrouille, par, role, motif) VALUES ($1, $2, $3, $4, $5)",
            lot, verrouille, appelant.subject, appelant.role.rawValue, motif), logger: logger)
    }

    /// When every lot of the unit is locked and every copy of it is in a lot: the unit's grades
    /// (an absence recorded by the centre standing for a missing grade) in
    /// `evaluation.notes.consolidees`. Returns whether it happened.
    func consolider(session: String, unite: String, on connection: PostgresConnection) async throws -> Bool {
        let l = database.table("lots"), c = database.table("copies"), n = database.table("notes")
        let ouverts = try await connection.query(SQL.query(
            """
            SELECT (SELECT count(*) FROM \(l) WHERE session = $1 AND unite = $2 AND NOT verrouille)
                 + (SELECT count(*) FROM \(c) WHERE session = $1 AND unite = $2 AND lot IS NULL AND NOT retiree)
            """, session, unite), logger: logger)
        var reste: Int64 = 1
        for try await count in ouverts.decode(Int64.self) { reste = count }
        guard reste == 0 else { return false }
        guard let description = try await lots.unite(session: session, unite: unite) else { return false }
        let rows = try await connection.query(SQL.query(
            """
            SELECT c.numero, COALESCE(n.note, c.absence) FROM \(c) c LEFT JOIN \(n) n ON n.lot = c.lot AND n.numero = c.numero
            WHERE c.session = $1 AND c.unite = $2 AND NOT c.retiree ORDER BY c.numero
            """, session, unite), logger: logger)
        var notes: [NotesConsolidees.NoteCopie] = []
        for try await (numero, texte) in rows.decode((String, String?).self) {
            guard let texte, let note = try? Note.parse(texte, pas: .centieme) else { return false }
            notes.append(.init(numeroAnonymat: numero, note: note))
        }
        try await outbox.write(
            NotesConsolidees(session: try SessionCode(session), specialite: description.specialite, epreuve: description.epreuve,
                             unite: unite, notes: notes),
            aggregate: "unite:\(session):\(unite)", on: connection, logger: logger)
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("consolidations")) (session, unite, notes) VALUES ($1, $2, $3)
            ON CONFLICT (session, unite) DO UPDATE SET notes = excluded.notes, le = now()
            """, session, unite, notes.count), logger: logger)
        return true
    }

    static let inconnu = ServiceError.notFound("Ce lot n'existe pas.")
}
