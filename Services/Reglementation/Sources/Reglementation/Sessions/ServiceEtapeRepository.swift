import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// SQL of the step services of a session: planned dates, opening, closing, timeline. Every
/// change locks the session row first, records a line of the timeline and writes its events in
/// the same transaction.
public struct ServiceEtapeRepository: Sendable {
    let database: Database
    let outbox: OutboxWriter

    func services(of code: SessionCode, on connection: PostgresConnection? = nil) async throws -> [EtatServiceEtape] {
        let query = SQL.query(
            """
            SELECT service, etat, to_char(ouverture_prevue, 'YYYY-MM-DD'), to_char(fermeture_prevue, 'YYYY-MM-DD'),
                   ouvert_le, ouvert_par, ferme_le, ferme_par
            FROM \(database.table("services_etape")) WHERE session = $1
            """,
            code.value)
        let rows = if let connection { try await connection.run(query, database.logger) } else { try await database.query(query) }
        var result: [EtatServiceEtape] = []
        for try await (name, etat, ouverture, fermeture, ouvertLe, ouvertPar, fermeLe, fermePar)
            in rows.decode((String, String, String?, String?, Date?, String?, Date?, String?).self)
        {
            guard let service = ServiceEtape(rawValue: name), let etat = EtatServiceEtape.Etat(rawValue: etat) else { continue }
            result.append(EtatServiceEtape(
                service: service, libelle: service.libelle, etat: etat, ouverturePrevue: ouverture,
                fermeturePrevue: fermeture, ouvertLe: ouvertLe, ouvertPar: ouvertPar, fermeLe: fermeLe, fermePar: fermePar))
        }
        return result.sorted { $0.service < $1.service }
    }

    /// Sets the planned days of a service.
    func planifier(_ service: ServiceEtape, of code: SessionCode, dates: DatesPrevues, by subject: String) async throws -> EtatServiceEtape {
        let logger = database.logger
        return try await database.transaction { connection in
            let session = try await SessionVerrouillee.verrouiller(code, database: database, on: connection)
            try session.exigerOuverte()
            try await connection.run(
                SQL.query(
                    """
                    UPDATE \(database.table("services_etape")) SET ouverture_prevue = $3::date, fermeture_prevue = $4::date
                    WHERE session = $1 AND service = $2
                    """,
                    code.value, service.rawValue, dates.ouverture, dates.fermeture),
                logger)
            try await historiser(code, service, "calendrier", by: subject, dates: dates, on: connection)
            return try await etat(service, of: code, on: connection)
        }
    }

    /// Opens (or reopens) a service whose prerequisites are met.
    func ouvrir(_ service: ServiceEtape, of code: SessionCode, by subject: String) async throws -> EtatServiceEtape {
        let logger = database.logger
        return try await database.transaction { connection in
            let session = try await SessionVerrouillee.verrouiller(code, database: database, on: connection)
            try session.exigerOuverte()
            let tous = try await services(of: code, on: connection)
            let etats = Dictionary(uniqueKeysWithValues: tous.map { ($0.service, $0.etat) })
            let actuel = etats[service] ?? .aOuvrir
            if actuel == .ouvert {
                throw ServiceError.conflict("service.deja_ouvert", "Le service « \(service.libelle) » de la session \(code.value) est déjà ouvert.")
            }
            if actuel == .ferme {
                let ouverts = ReglesDesEtapes.dependants(service).filter { (etats[$0] ?? .aOuvrir) != .aOuvrir }
                guard ouverts.isEmpty else {
                    throw ServiceError(
                        .conflict, code: "service.reouverture_impossible",
                        message: "Le service « \(service.libelle) » ne peut pas être rouvert : le service « \(ouverts[0].libelle) », qui en dépend, a déjà été ouvert.",
                        details: ouverts.map { .init(location: "dependants.\($0.rawValue)", code: "service.reouverture_impossible", message: "Le service « \($0.libelle) » a déjà été ouvert.") })
                }
            }
            let refus = ReglesDesEtapes.refus(ouvrir: service, etats: etats)
            guard refus.isEmpty else {
                throw ServiceError(
                    .conflict, code: "service.prerequis",
                    message: "Le service « \(service.libelle) » ne peut pas être ouvert : \(refus.map { Self.minuscule($0.message) }.joined(separator: " ; ")).",
                    details: refus)
            }
            try await connection.run(
                SQL.query(
                    """
                    UPDATE \(database.table("services_etape"))
                    SET etat = 'ouvert', ouvert_le = clock_timestamp(), ouvert_par = $3, ferme_le = NULL, ferme_par = NULL
                    WHERE session = $1 AND service = $2
                    """,
                    code.value, service.rawValue, subject),
                logger)
            try await historiser(code, service, actuel == .ferme ? "rouvert" : "ouvert", by: subject, on: connection)
            let etat = try await etat(service, of: code, on: connection)
            try await outbox.write(
                ServiceOuvert(session: code, service: service, ouvertPar: subject, fermeturePrevue: etat.fermeturePrevue, reouverture: actuel == .ferme),
                aggregate: "session:\(code.value)", on: connection, logger: logger)
            return etat
        }
    }

    /// Closes an open service; closing réglementation needs the session's règlement published
    /// and up to date, closing organisation its service's declaration that it finished, closing
    /// collecte des notes every lot locked (`AvancementEtapes`; refused with the list of what is
    /// missing). Closing réglementation, organisation or collecte des notes ends a step, told to
    /// IMAG'IN the first time only.
    func fermer(_ service: ServiceEtape, of code: SessionCode, by subject: String) async throws -> EtatServiceEtape {
        let logger = database.logger
        return try await database.transaction { connection in
            let session = try await SessionVerrouillee.verrouiller(code, database: database, on: connection)
            try session.exigerOuverte()
            let actuel = try await etat(service, of: code, on: connection)
            guard actuel.etat == .ouvert else {
                throw ServiceError.conflict(
                    "service.non_ouvert",
                    "Le service « \(service.libelle) » de la session \(code.value) n'est pas ouvert : il ne peut pas être fermé.")
            }
            if service == .reglementation {
                try await PublicationRepository(database: database, outbox: outbox).exigerPublicationAJour(session, on: connection)
            }
            // Closing a step means its work is done, as its service reported it.
            let avancement = AvancementEtapes(database: database)
            let manques = try await avancement.manques(service, session: code.value, on: connection)
            guard manques.isEmpty else {
                let liste = manques.count > 100 ? "au moins 100 éléments" : "\(manques.count) élément(s)"
                throw ServiceError(
                    .conflict, code: "service.travail_inacheve",
                    message: "Le service « \(service.libelle) » ne peut pas être fermé : son travail n'est pas terminé (\(liste), voir le détail).",
                    details: Array(manques.prefix(100)))
            }
            try await connection.run(
                SQL.query(
                    """
                    UPDATE \(database.table("services_etape")) SET etat = 'ferme', ferme_le = clock_timestamp(), ferme_par = $3
                    WHERE session = $1 AND service = $2
                    """,
                    code.value, service.rawValue, subject),
                logger)
            try await historiser(code, service, "ferme", by: subject, on: connection)
            var events = [try outbox.entry(ServiceFerme(session: code, service: service, fermePar: subject), aggregate: "session:\(code.value)")]
            // IMAG'IN is told once per step end: a closing after a reopening tells nothing again.
            if let etape = ReglesDesEtapes.etapeTerminee(par: service),
               try await avancement.notifierUneFois(etape, session: code.value, on: connection) {
                events.append(try outbox.entry(
                    EtapeTerminee(session: code, academie: session.academie, etape: etape, termineePar: subject),
                    aggregate: "session:\(code.value)"))
            }
            try await outbox.write(events, on: connection, logger: logger)
            return try await etat(service, of: code, on: connection)
        }
    }

    /// The session's timeline, oldest first.
    func historique(of code: SessionCode, pagination: Pagination) async throws -> (evenements: [EvenementHistorique], total: Int) {
        let rows = try await database.query(
            SQL.query(
                """
                SELECT le, action, service, par, to_char(ouverture_prevue, 'YYYY-MM-DD'), to_char(fermeture_prevue, 'YYYY-MM-DD'), count(*) OVER ()
                FROM \(database.table("historique")) WHERE session = $1 ORDER BY id LIMIT $2 OFFSET $3
                """,
                code.value, pagination.taille, pagination.offset))
        var result: [EvenementHistorique] = []
        var total = 0
        for try await (le, action, service, par, ouverture, fermeture, count)
            in rows.decode((Date, String, String?, String, String?, String?, Int64).self)
        {
            guard let action = EvenementHistorique.Action(rawValue: action) else { continue }
            result.append(EvenementHistorique(
                le: le, action: action, service: service.flatMap(ServiceEtape.init(rawValue:)), par: par,
                ouverturePrevue: ouverture, fermeturePrevue: fermeture))
            total = Int(count)
        }
        return (result, total)
    }

    private func etat(_ service: ServiceEtape, of code: SessionCode, on connection: PostgresConnection) async throws -> EtatServiceEtape {
        guard let etat = try await services(of: code, on: connection).first(where: { $0.service == service }) else {
            throw SessionVerrouillee.inconnue(code)
        }
        return etat
    }

    private func historiser(
        _ code: SessionCode, _ service: ServiceEtape, _ action: String, by subject: String,
        dates: DatesPrevues? = nil, on connection: PostgresConnection
    ) async throws {
        try await connection.run(
            SQL.query(
                """
                INSERT INTO \(database.table("historique")) (session, service, action, par, ouverture_prevue, fermeture_prevue)
                VALUES ($1, $2, $3, $4, $5::date, $6::date)
                """,
                code.value, service.rawValue, action, subject, dates?.ouverture, dates?.fermeture),
            database.logger)
    }

    private static func minuscule(_ phrase: String) -> String {
        guard let first = phrase.first else { return phrase }
        return first.lowercased() + phrase.dropFirst().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}
