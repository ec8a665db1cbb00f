import ServiceKit
import Foundation
import Hummingbird
import PostgresNIO
import Storage

/// Re-walks every lot's audit chain: sequence numbers 1, 2, 3… without a gap or repeat, each
/// row's `precedent` equal to the previous row's `empreinte`, each `empreinte` recomputed from
/// the row, the lot's head (`lots.audit_seq/audit_hash`) equal to the last row, and each stored
/// grade equal to the last value its audit gives (a grade changed without a trace shows).
/// A row altered, deleted or inserted directly in the database is reported with its lot and seq;
/// the hashes are keyed (`CleAudit`), so a chain rewritten consistently without the key (every
/// hash recomputed as plain SHA-256, or with another key) shows on its first row.
struct VerificationAudit: Sendable {
    let database: Database
    let cle: CleAudit

    struct Anomalie: Codable, Sendable, Equatable {
        var lot: UUID
        var seq: Int64?
        var copie: String?
        var probleme: String
    }

    struct Rapport: Codable, Sendable, ResponseEncodable {
        var lots: Int
        var lignes: Int
        var anomalies: [Anomalie]
        var valide: Bool

        init(lots: Int, lignes: Int, anomalies: [Anomalie]) {
            self.lots = lots
            self.lignes = lignes
            self.anomalies = anomalies
            valide = anomalies.isEmpty
        }
    }

    func verifier(session: String? = nil) async throws -> Rapport {
        let repository = AuditRepository(database: database)
        let tetes = try await repository.tetes(session: session)
        var anomalies: [Anomalie] = []
        var lignes = 0
        var lot: UUID?
        var attendu: Int64 = 1
        var precedent = ""
        var dernieres: [String: String] = [:]
        var dernieresParLot: [UUID: [String: String]] = [:]
        func clore(_ id: UUID) {
            let tete = tetes[id] ?? (0, "")
            if tete.seq != attendu - 1 || tete.hash != precedent {
                anomalies.append(Anomalie(
                    lot: id, seq: attendu - 1, copie: nil,
                    probleme: "la tête de chaîne du lot (n° \(tete.seq)) ne correspond pas à la dernière ligne du journal (n° \(attendu - 1)) : ligne supprimée, ajoutée ou modifiée"))
            }
            dernieresParLot[id] = dernieres
        }
        try await repository.parcourir(session: session) { stockee in
            let ligne = stockee.ligne, nature = stockee.nature, empreinte = stockee.empreinte
            let (id, seq, numero, prec) = (ligne.lot, ligne.seq, ligne.numero, ligne.precedent)
            lignes += 1
            if id != lot {
                if let lot { clore(lot) }
                lot = id
                attendu = 1
                precedent = ""
                dernieres = [:]
            }
            if seq != attendu {
                anomalies.append(Anomalie(lot: id, seq: seq, copie: numero,
                    probleme: seq > attendu ? "ligne(s) \(attendu)…\(seq - 1) absente(s) du journal : suppression" : "numéro de ligne \(seq) répété ou en désordre : insertion"))
            }
            if prec != precedent {
                anomalies.append(Anomalie(lot: id, seq: seq, copie: numero, probleme: "le lien vers la ligne précédente est rompu"))
            }
            if ChaineAudit.Nature(rawValue: nature) == nil || ChaineAudit.empreinte(ligne, cle: cle) != empreinte {
                anomalies.append(Anomalie(lot: id, seq: seq, copie: numero, probleme: "le contenu de la ligne a été modifié (empreinte différente)"))
            }
            attendu = seq + 1
            precedent = empreinte
            if nature == ChaineAudit.Nature.note.rawValue { dernieres[numero] = ligne.apres }
        }
        if let lot { clore(lot) }
        for (id, tete) in tetes where tete.seq > 0 && dernieresParLot[id] == nil {
            anomalies.append(Anomalie(lot: id, seq: nil, copie: nil, probleme: "le journal du lot a disparu (\(tete.seq) ligne(s) attendue(s))"))
        }
        // Grades stored without the trace of their last change.
        try await repository.parcourirNotes(session: session) { id, numero, note in
            if dernieresParLot[id]?[numero] != note {
                anomalies.append(Anomalie(lot: id, seq: nil, copie: numero,
                    probleme: "la note enregistrée (\(note)) n'est pas la dernière valeur du journal (\(dernieresParLot[id]?[numero] ?? "aucune"))"))
            }
        }
        return Rapport(lots: tetes.count, lignes: lignes, anomalies: anomalies)
    }
}
