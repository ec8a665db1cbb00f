import Contracts
import Domain
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

/// An aménagement request and its decision.
struct Amenagement: Codable, Sendable {
    var id: UUID
    var candidature: UUID
    var numero: String
    var candidat: String
    var uai: String?
    var specialite: String
    var types: [TypeAmenagement]
    var motif: String
    var avis: UUID
    var etat: String
    var mesures: [MesureAmenagement]
    var motivation: String?
    var demandeLe: String
    var demandePar: String
    var decideLe: String?
    var decidePar: String?
}

/// Aménagement requests (with the medical opinion piece) and the gestionnaire's decisions,
/// notified by `inscription.amenagement.decide` and carried into the candidature's state.
struct AmenagementRepository: Sendable {
    let inscriptions: Inscriptions
    let pieces: PieceRepository

    var database: Database { inscriptions.database }
    var logger: Logger { database.logger }

    struct Demande: Decodable {
        var types: [String]?
        var motif: String?
        var avis: UUID?
    }

    struct Decision: Decodable {
        struct Mesure: Decodable { var type: String?; var majorationPourcent: Int?; var precision: String? }
        var decision: String?
        var mesures: [Mesure]?
        var motivation: String?
    }

    func demander(_ candidatureId: UUID, _ demande: Demande, par appelant: InternalIdentity) async throws -> Amenagement {
        var v = Verification()
        var types: [TypeAmenagement] = []
        for (index, texte) in (demande.types ?? []).enumerated() {
            if let type = TypeAmenagement(rawValue: texte) { if !types.contains(type) { types.append(type) } } else {
                v.erreur("types[\(index)]", "amenagement.type", "Aménagement « \(texte) » inconnu : \(TypeAmenagement.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        if (demande.types ?? []).isEmpty { v.erreur("types", "amenagement.types", "Choisissez au moins un aménagement demandé.") }
        let motif = (demande.motif ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !(1...2000).contains(motif.count) { v.erreur("motif", "amenagement.motif", "Le motif de la demande est obligatoire (2 000 caractères au plus).") }
        if demande.avis == nil { v.erreur("avis", "amenagement.avis", "La demande d'aménagement s'accompagne de l'avis médical : déposez-le puis indiquez-le.") }
        try v.verifier()
        let id = UUID()
        try await database.transaction { connection in
            let candidature = try await inscriptions.pourAgir(candidatureId, appelant, on: connection)
            guard candidature.etat != .annulee else { throw Inscriptions.annulee(candidature) }
            guard let avis = try await pieces.lire(demande.avis!, on: connection), avis.candidature == candidatureId,
                  avis.type == TypePiece.avisMedical, avis.statut != "refusee"
            else {
                throw ServiceError.invalid("amenagement.avis", "L'avis médical indiqué n'est pas une pièce AVIS_MEDICAL valable de cette candidature.",
                                           details: [.init(location: "avis", code: "amenagement.avis", message: "Avis médical introuvable.")])
            }
            try await connection.query(SQL.query(
                """
                INSERT INTO \(database.table("amenagements")) (id, candidature, types, motif, avis, etat, demande_par)
                VALUES ($1, $2, $3, $4, $5, 'demande', $6)
                """, id, candidatureId, types.map(\.rawValue), motif, avis.id, appelant.subject), logger: logger)
            try await inscriptions.candidatures.noter(candidatureId, "amenagement_demande", par: appelant,
                                                      detail: ["amenagement": .init(avant: nil, apres: types.map(\.libelle).joined(separator: ", "))],
                                                      on: connection)
        }
        return try await lire(id)!
    }

    func decider(_ id: UUID, _ decision: Decision, par appelant: InternalIdentity) async throws -> Amenagement {
        var v = Verification()
        let choix = AmenagementDecide.Decision(rawValue: decision.decision ?? "")
        if choix == nil {
            v.erreur("decision", "amenagement.decision", "Décision « \(decision.decision ?? "") » inconnue : accorde, accorde_partiellement ou refuse.")
        }
        var mesures: [MesureAmenagement] = []
        for (index, mesure) in (decision.mesures ?? []).enumerated() {
            guard let type = TypeAmenagement(rawValue: mesure.type ?? "") else {
                v.erreur("mesures[\(index)].type", "amenagement.type", "Aménagement « \(mesure.type ?? "") » inconnu : \(TypeAmenagement.allCases.map(\.rawValue).joined(separator: ", ")).")
                continue
            }
            if type == .tempsMajore, !(1...100).contains(mesure.majorationPourcent ?? 0) {
                v.erreur("mesures[\(index)].majorationPourcent", "amenagement.majoration", "Une majoration de temps s'exprime en pour cent, de 1 à 100 (le plus souvent 33).")
            }
            let precision = mesure.precision?.trimmingCharacters(in: .whitespacesAndNewlines)
            mesures.append(MesureAmenagement(type: type, majorationPourcent: type == .tempsMajore ? mesure.majorationPourcent : nil,
                                             precision: precision?.isEmpty == false ? String(precision!.prefix(500)) : nil))
        }
        let motivation = decision.motivation?.trimmingCharacters(in: .whitespacesAndNewlines)
        switch choix {
        case .refuse:
            if !mesures.isEmpty { v.erreur("mesures", "amenagement.mesures", "Un refus n'accorde aucune mesure.") }
            if (motivation ?? "").isEmpty { v.erreur("motivation", "amenagement.motivation", "Un refus est motivé.") }
        case .accorde, .accordePartiellement:
            if mesures.isEmpty { v.erreur("mesures", "amenagement.mesures", "Indiquez au moins une mesure accordée.") }
            if choix == .accordePartiellement && (motivation ?? "").isEmpty {
                v.erreur("motivation", "amenagement.motivation", "Un accord partiel est motivé (ce qui n'est pas accordé et pourquoi).")
            }
        case nil: break
        }
        try v.verifier()
        guard let choix else { throw ServiceError.invalid("amenagement.decision", "Décision inconnue.") }
        guard let apercu = try await lire(id), let candidature = try await inscriptions.candidatures.lire(apercu.candidature) else { throw Self.inconnu }
        try await inscriptions.verifierSessionClose(candidature, appelant, ecriture: true)
        let contexte = try await inscriptions.contexte(candidature.session, uais: [candidature.uai])
        try await database.transaction { connection in
            guard let demande = try await lire(id, on: connection, pourModifier: true) else { throw Self.inconnu }
            guard demande.etat == "demande" else {
                throw ServiceError.conflict("amenagement.deja_decide", "Cette demande d'aménagement a déjà reçu une décision (\(demande.etat)).")
            }
            try await connection.query(SQL.query(
                """
                UPDATE \(database.table("amenagements")) SET etat = $2, mesures = $3::jsonb, motivation = $4, decide_par = $5, decide_le = now()
                WHERE id = $1
                """, id, choix.rawValue, try CandidatureRepository.json(mesures), motivation, appelant.subject), logger: logger)
            try await inscriptions.candidatures.noter(demande.candidature, "amenagement_decide", par: appelant,
                                                      detail: ["amenagement": .init(avant: "demandé", apres: choix.libelle)], on: connection)
            try await inscriptions.outbox.write(
                AmenagementDecide(
                    demande: id, candidature: demande.candidature, numero: demande.numero,
                    session: contexte.session.code,
                    etablissement: try demande.uai.map { try UAI($0) }, decision: choix, mesures: mesures, motivation: motivation,
                    decidePar: appelant.subject),
                aggregate: demande.candidature.uuidString, on: connection, logger: logger)
            // A validated candidature carries its aménagements downstream: a new revision.
            if choix != .refuse { try await inscriptions.republier(demande.candidature, contexte: contexte, par: appelant, on: connection) }
        }
        return try await lire(id)!
    }

    static let inconnu = ServiceError(.notFound, code: "amenagement.inconnu", message: "Cette demande d'aménagement n'existe pas.")

    private var selection: String {
        """
        SELECT json_build_object('id', a.id, 'candidature', a.candidature, 'numero', c.numero,
            'candidat', upper(d.nom_famille) || ' ' || d.prenoms, 'uai', c.uai, 'specialite', c.specialite,
            'types', a.types, 'motif', a.motif, 'avis', a.avis, 'etat', a.etat, 'mesures', a.mesures, 'motivation', a.motivation,
            'demandeLe', \(CandidatureRepository.horodatage("a.demande_le")), 'demandePar', a.demande_par,
            'decideLe', \(CandidatureRepository.horodatage("a.decide_le")), 'decidePar', a.decide_par)::text
        FROM \(database.table("amenagements")) a JOIN \(database.table("candidatures")) c ON c.id = a.candidature
        JOIN \(database.table("candidats")) d ON d.id = c.candidat
        """
    }

    func lire(_ id: UUID, on connection: PostgresConnection? = nil, pourModifier: Bool = false) async throws -> Amenagement? {
        let query = SQL.query("\(selection) WHERE a.id = $1 \(pourModifier ? "FOR UPDATE OF a" : "")", id)
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await database.query(query) }
        for try await texte in rows.decode(String.self) { return try CandidatureRepository.decoder.decode(Amenagement.self, from: Data(texte.utf8)) }
        return nil
    }

    func liste(session: String, etat: String?, uais: [String]?, candidature: UUID?, pagination: Pagination) async throws -> (items: [Amenagement], total: Int) {
        let condition = "c.session = $1 AND ($2::text IS NULL OR a.etat = $2) AND ($3::text[] IS NULL OR c.uai = ANY($3)) AND ($4::uuid IS NULL OR a.candidature = $4)"
        let rows = try await database.query(SQL.query(
            "\(selection) WHERE \(condition) ORDER BY a.demande_le, a.id LIMIT \(pagination.taille) OFFSET \(pagination.offset)",
            session, etat, uais, candidature))
        var items: [Amenagement] = []
        for try await texte in rows.decode(String.self) { items.append(try CandidatureRepository.decoder.decode(Amenagement.self, from: Data(texte.utf8))) }
        let compte = try await database.query(SQL.query(
            """
            SELECT count(*)::int8 FROM \(database.table("amenagements")) a JOIN \(database.table("candidatures")) c ON c.id = a.candidature
            WHERE \(condition)
            """, session, etat, uais, candidature))
        var total = 0
        for try await n in compte.decode(Int64.self) { total = Int(n) }
        return (items, total)
    }
}

extension Amenagement: ResponseEncodable {}
