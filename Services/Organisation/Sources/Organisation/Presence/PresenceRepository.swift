import Contracts
import Domain
import Foundation
import Hummingbird
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// Presence recorded by the centre after each sitting: present, ABS (absent), ABJ (absent with
/// a justification, its piece named). Each change of status of a copy is sent to evaluation and
/// deliberation as `organisation.absence.constatee`, by numéro d'anonymat only.
struct PresenceRepository: Sendable {
    let database: Database
    let outbox: OutboxWriter

    var logger: Logger { database.logger }

    struct Saisie: Decodable, Sendable {
        var numeroCandidat: String?
        var statut: String?
        var piece: String?
    }

    struct Corps: Decodable, Sendable {
        var specialite: String?
        var unite: String?
        var saisies: [Saisie]?
    }

    struct Ligne: Codable, Sendable {
        var numeroCandidat: String
        var nom: String
        var prenoms: String
        var salle: String?
        var place: Int?
        var statut: String?
        var piece: String?
    }

    struct Bilan: Codable, Sendable, ResponseEncodable {
        var enregistrees: Int
        var evenements: Int
    }

    func saisir(session: SessionCode, centre: String, specialite: String, unite: String, saisies: [Saisie], par: String) async throws -> Bilan {
        try await database.transaction { connection in
            let rows = try await connection.query(SQL.query(
                """
                SELECT c.numero, f.candidature, a.numero, p.statut, p.piece, p.revision
                FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
                LEFT JOIN \(database.table("anonymats")) a ON a.candidature = f.candidature AND a.unite = f.unite
                LEFT JOIN \(database.table("presences")) p ON p.candidature = f.candidature AND p.unite = f.unite
                WHERE f.session = $1 AND f.centre = $2 AND f.specialite = $3 AND f.unite = $4 AND NOT c.annulee
                FOR UPDATE OF f
                """, session.value, centre, specialite, unite), logger: logger)
            var connus: [String: (id: UUID, anonymat: String?, statut: String?, piece: String?, revision: Int)] = [:]
            for try await (numero, id, anonymat, statut, piece, revision) in rows.decode((String, UUID, String?, String?, String?, Int?).self) {
                connus[numero] = (id, anonymat, statut, piece, revision ?? 0)
            }
            var v = Verification()
            var lignes: [(id: UUID, anonymat: String, statut: AbsenceConstatee.Statut, piece: String?, avant: String?, pieceAvant: String?, revision: Int)] = []
            for (i, saisie) in saisies.enumerated() {
                let numero = (saisie.numeroCandidat ?? "").trimmingCharacters(in: .whitespaces)
                guard let connu = connus[numero] else {
                    v.erreur("saisies[\(i)].numeroCandidat", "presence.candidat",
                             "Le candidat n° « \(numero) » ne passe pas l'unité \(unite) (\(specialite)) dans ce centre.")
                    continue
                }
                guard let statut = AbsenceConstatee.Statut(rawValue: saisie.statut ?? "") else {
                    v.erreur("saisies[\(i)].statut", "presence.statut", "Statut « \(saisie.statut ?? "") » inconnu : present, ABS ou ABJ.")
                    continue
                }
                let piece = saisie.piece?.trimmingCharacters(in: .whitespacesAndNewlines)
                if statut == .abj && (piece ?? "").isEmpty {
                    v.erreur("saisies[\(i)].piece", "presence.piece",
                             "Une absence justifiée (ABJ) du candidat n° \(numero) exige la pièce qui l'établit (certificat, convocation officielle…).")
                    continue
                }
                guard let anonymat = connu.anonymat else {
                    v.erreur("saisies[\(i)].numeroCandidat", "presence.anonymat",
                             "Le candidat n° \(numero) n'a pas encore de numéro d'anonymat pour l'unité \(unite) : la division des examens doit les attribuer.")
                    continue
                }
                lignes.append((connu.id, anonymat, statut, statut == .abj ? piece : nil, connu.statut, connu.piece, connu.revision))
            }
            try v.verifier()
            let changees = lignes.filter { $0.statut.rawValue != $0.avant || $0.piece != $0.pieceAvant }
            guard !changees.isEmpty else { return Bilan(enregistrees: 0, evenements: 0) }
            try await connection.query(SQL.query(
                """
                INSERT INTO \(database.table("presences")) (candidature, unite, statut, piece, revision, saisi_par)
                SELECT id, $1, statut, piece, revision, $2 FROM UNNEST($3::uuid[], $4::text[], $5::text[], $6::int4[]) AS x (id, statut, piece, revision)
                ON CONFLICT (candidature, unite) DO UPDATE SET statut = excluded.statut, piece = excluded.piece, revision = excluded.revision,
                    saisi_par = excluded.saisi_par, saisi_le = now()
                """, unite, par, changees.map(\.id), changees.map(\.statut.rawValue), TableauNullable(changees.map(\.piece)),
                changees.map { $0.revision + 1 }), logger: logger)
            // A first « present » is the default and says nothing; any other change is an event.
            let evenements = try changees.filter { $0.statut != .present || $0.avant != nil && $0.avant != "present" }.map { l in
                try outbox.entry(
                    AbsenceConstatee(session: session, unite: unite, numeroAnonymat: l.anonymat, statut: l.statut, revision: l.revision + 1),
                    aggregate: "\(session.value)/\(unite)/\(l.anonymat)")
            }
            try await outbox.write(evenements, on: connection, logger: logger)
            return Bilan(enregistrees: changees.count, evenements: evenements.count)
        }
    }

    func liste(session: SessionCode, centre: String, specialite: String, unite: String) async throws -> [Ligne] {
        let rows = try await database.query(SQL.query(
            """
            SELECT c.numero, c.nom_famille, c.prenoms, f.salle, f.place, p.statut, p.piece
            FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
            LEFT JOIN \(database.table("presences")) p ON p.candidature = f.candidature AND p.unite = f.unite
            WHERE f.session = $1 AND f.centre = $2 AND f.specialite = $3 AND f.unite = $4 AND NOT c.annulee
            ORDER BY f.salle NULLS LAST, f.place NULLS LAST, c.nom_famille, c.prenoms
            """, session.value, centre, specialite, unite))
        var items: [Ligne] = []
        for try await (numero, nom, prenoms, salle, place, statut, piece) in rows.decode((String, String, String, String?, Int?, String?, String?).self) {
            items.append(Ligne(numeroCandidat: numero, nom: nom, prenoms: prenoms, salle: salle, place: place, statut: statut, piece: piece))
        }
        return items
    }
}
