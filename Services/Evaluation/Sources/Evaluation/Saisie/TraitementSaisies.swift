import Contracts
import Domain
import Foundation
import Messaging
import Metrics
import PostgresNIO
import ServiceKit
import Storage

/// What a worker does with a batch of commands, in ONE transaction and a fixed number of
/// set-based statements whatever the batch size:
///  1. lock the lots concerned (`FOR UPDATE`, in id order: no deadlock between workers) — it
///     serialises writers of one lot, orders its audit chain and sees lock/unlock exactly;
///  2. skip the commands already handled (`commandes`: the idempotency key);
///  3. refuse a command whose lot is locked or closed for its sender, whose grader is no longer
///     assigned to the lot, or which names a copy not in it;
///  4. read the current grades of the copies concerned, apply the lines in revision order (a
///     line over an equal or higher revision is ignored: a replay or a late older save);
///  5. upsert the grades (UNNEST), append the audit rows with their hash chain and move each
///     lot's chain head, record every command's outcome, write one `evaluation.notes.saisies`
///     per lot in the outbox, and NOTIFY the outcomes (delivered at commit).
struct TraitementSaisies: Sendable {
    let database: Database
    let outbox: OutboxWriter
    let cle: CleAudit

    var logger: Logger { database.logger }
    private var saisies: SaisieRepository { SaisieRepository(database: database) }
    private typealias Cle = SaisieRepository.Cle

    /// A worker's handler of `evaluation.saisie`, for the kit's consumer: every command of a
    /// delivery batch in one call (one transaction, a fixed number of statements). At least once
    /// in, exactly once by effect: the consumer's inbox and `commandes` drop a command handled
    /// before (a redelivery after a crash, a broker or database restart).
    static func handlers(_ traitement: TraitementSaisies) -> MessageHandlers {
        let traitees = Counter(label: "cyclades_evaluation_commandes_total")
        let notes = Counter(label: "cyclades_evaluation_lignes_total")
        let duree = Metrics.Timer(label: "cyclades_evaluation_lot_seconds")
        var handlers = MessageHandlers()
        handlers.onBatch(CommandeSaisie.self) { envelopes, context in
            let debut = ContinuousClock.now
            let commandes = envelopes.map(\.payload)
            let resultats = try await traitement.traiter(commandes, on: context.connection)
            traitees.increment(by: resultats.count)
            notes.increment(by: commandes.reduce(0) { $0 + $1.lignes.count })
            duree.record(duration: ContinuousClock.now - debut)
        }
        return handlers
    }

    /// Handles `commandes` (distinct ids) inside the caller's transaction; returns the outcome of
    /// each command handled now (those already handled before are left out).
    func traiter(_ commandes: [CommandeSaisie], on connection: PostgresConnection) async throws -> [ResultatCommande] {
        // 1. Lock the lots.
        var etats = try await saisies.verrouillerLots(Array(Set(commandes.map(\.lot))), on: connection)
        // 2. Already handled?
        let dejaTraitees = try await saisies.dejaTraitees(commandes.map(\.id), on: connection)
        let nouvelles = commandes.filter { !dejaTraitees.contains($0.id) }
        guard !nouvelles.isEmpty else { return [] }

        // 4a. Current grades of every copy named (and whether it is in its lot).
        var courantes = try await saisies.courantes(
            nouvelles.flatMap { commande in commande.lignes.map { Cle(lot: commande.lot, numero: $0.copie) } }, on: connection)

        // 3a. A grader's command applies only while he is still assigned to the lot (he may have
        // been removed while it waited on the queue).
        let parCorrecteurs = nouvelles.filter { [Role.correcteur.rawValue, Role.interrogateur.rawValue].contains($0.role) }
        let affectes = try await saisies.affectes(parCorrecteurs.map { (lot: $0.lot, sujet: $0.par) }, on: connection)

        // 3. Refusals, then 4b. apply in revision order.
        var resultats: [UUID: ResultatCommande] = [:]
        var acceptees: [CommandeSaisie] = []
        for commande in nouvelles {
            let role = Role(rawValue: commande.role) ?? .service
            var refus: String?
            if let etat = etats[commande.lot] {
                refus = Habilitation.refusEtat(role: role, ouvert: etat.ouvert, verrouille: etat.verrouille)?.message
            } else {
                refus = "Ce lot n'existe pas (ou plus)."
            }
            if refus == nil, role == .correcteur || role == .interrogateur,
               !affectes.contains(SaisieRepository.affectation(commande.lot, commande.par)) {
                refus = "Vous n'êtes plus affecté à ce lot : ces notes n'ont pas été enregistrées."
            }
            if refus == nil, let hors = commande.lignes.first(where: { courantes[Cle(lot: commande.lot, numero: $0.copie)]?.estDansLeLot != true }) {
                refus = "La copie « \(hors.copie) » n'appartient pas à ce lot."
            }
            if let refus {
                resultats[commande.id] = ResultatCommande(commande: commande.id, statut: "refusee", appliquees: 0, ignorees: 0, message: refus)
            } else {
                acceptees.append(commande)
                resultats[commande.id] = ResultatCommande(commande: commande.id, statut: "enregistree", appliquees: 0, ignorees: 0)
            }
        }
        acceptees.sort { $0.revision < $1.revision }
        let instant = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var finales: [Cle: SaisieRepository.NoteFinale] = [:]
        var audit: [ChaineAudit.Ligne] = []
        var evenements: [UUID: [NotesSaisies.NoteSaisie]] = [:]
        var sources: [UUID: Set<String>] = [:]
        for commande in acceptees {
            var appliquees = 0, ignorees = 0
            for ligne in commande.lignes {
                let cle = Cle(lot: commande.lot, numero: ligne.copie)
                guard var courante = courantes[cle], commande.revision > courante.revision else {
                    ignorees += 1
                    continue
                }
                appliquees += 1
                if courante.note != ligne.note, var etat = etats[commande.lot] {
                    etat.seq += 1
                    let entree = ChaineAudit.ligne(ChaineAudit.Ligne(
                        lot: commande.lot, seq: etat.seq, numero: ligne.copie, avant: courante.note, apres: ligne.note,
                        revision: commande.revision, par: commande.par, role: commande.role, source: commande.source,
                        commande: commande.id, instant: instant, precedent: etat.hash), cle: self.cle)
                    etat.hash = entree.empreinte
                    audit.append(entree)
                    etats[commande.lot] = etat
                    if let note = try? Note.parse(ligne.note, pas: .centieme) {
                        evenements[commande.lot, default: []].append(.init(
                            numeroAnonymat: ligne.copie, note: note, revision: commande.revision, commande: commande.id))
                        sources[commande.lot, default: []].insert(commande.source)
                    }
                }
                courante.note = ligne.note
                courante.revision = commande.revision
                courantes[cle] = courante
                finales[cle] = SaisieRepository.NoteFinale(
                    cle: cle, note: ligne.note, revision: commande.revision, commande: commande.id, par: commande.par,
                    source: commande.source)
            }
            resultats[commande.id]?.appliquees = appliquees
            resultats[commande.id]?.ignorees = ignorees
        }

        // 5. Writes.
        try await saisies.ecrire(Array(finales.values), on: connection)
        let tetes = Set(audit.map(\.lot)).compactMap { id in etats[id].map { (lot: id, seq: $0.seq, hash: $0.hash) } }
        try await saisies.ajouter(audit, tetes: tetes, on: connection)
        let tous = nouvelles.compactMap { commande in resultats[commande.id].map { (resultat: $0, commande: commande) } }
        try await saisies.enregistrer(tous, on: connection)
        var entrees: [OutboxWriter.Entry] = []
        for (lot, notes) in evenements {
            guard let etat = etats[lot], let session = try? SessionCode(etat.session) else { continue }
            entrees.append(try outbox.entry(
                NotesSaisies(session: session, unite: etat.unite, lot: lot.uuidString.lowercased(),
                             sources: (sources[lot] ?? []).sorted(), notes: notes),
                aggregate: "lot:\(lot.uuidString.lowercased())"))
        }
        try await outbox.write(entrees, on: connection, logger: logger)
        try await AnnoncesSaisies.annoncer(tous.map(\.resultat), on: connection, database: database)
        return tous.map(\.resultat)
    }
}
