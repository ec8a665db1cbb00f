import Contracts
import Domain
import Foundation
import Hummingbird
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// The end of the organisation of a session: everything placed, seated and dated, no sitting
/// over its rooms, a convocation for every candidate (each change since regenerated it); then
/// `organisation.terminee`, once.
struct Terminaison: Sendable {
    let affectations: Affectations
    let outbox: OutboxWriter

    var database: Database { affectations.database }

    struct Bilan: ResponseEncodable, Sendable {
        var session: String
        var candidats: Int
        var epreuvesPlacees: Int
    }

    func terminer(_ code: SessionCode, par appelant: InternalIdentity) async throws -> Bilan {
        let session = try await affectations.session(code)
        guard !session.terminee else {
            throw ServiceError.conflict("organisation.terminee", "L'organisation de la session \(code.value) est déjà déclarée terminée.")
        }
        let controle = try await affectations.affectations.verifier(session: code.value, centres: try await affectations.referentiel.centres(session: code))
        guard controle.complete else {
            throw ServiceError.conflict(
                "organisation.incomplete",
                "L'organisation n'est pas terminée : \(controle.nonPlacees) épreuve(s) non placée(s), \(controle.sansSalle) sans salle, \(controle.sansDate) sans date, \(controle.centresEnSurcapacite.count) séance(s) en surcapacité.")
        }
        return try await database.transaction { connection in
            let rows = try await connection.query(SQL.query(
                """
                SELECT count(*)::int8, count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM \(database.table("convocations")) v WHERE v.candidature = c.id))::int8
                FROM \(database.table("candidatures")) c WHERE c.session = $1 AND NOT c.annulee
                """, code.value), logger: database.logger)
            var (candidats, sansConvocation) = (0, 0)
            for try await (n, sans) in rows.decode((Int64, Int64).self) { (candidats, sansConvocation) = (Int(n), Int(sans)) }
            guard sansConvocation == 0 else {
                throw ServiceError.conflict("organisation.convocations", "\(sansConvocation) candidat(s) n'ont pas encore de convocation : générez-les d'abord.")
            }
            let marque = try await connection.query(SQL.query(
                "UPDATE \(database.table("sessions")) SET terminee_le = now(), terminee_par = $2 WHERE code = $1 AND terminee_le IS NULL RETURNING code",
                code.value, appelant.subject), logger: database.logger)
            var marquee = false
            for try await _ in marque.decode(String.self) { marquee = true }
            guard marquee else { throw ServiceError.conflict("organisation.terminee", "L'organisation de la session \(code.value) est déjà déclarée terminée.") }
            try await outbox.write(
                OrganisationTerminee(session: code, candidats: candidats, epreuvesPlacees: controle.placees, terminePar: appelant.subject),
                aggregate: code.value, on: connection, logger: database.logger)
            return Bilan(session: code.value, candidats: candidats, epreuvesPlacees: controle.placees)
        }
    }
}
