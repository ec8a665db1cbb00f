import Foundation
import PostgresNIO
import Storage

/// What the workers and the lot changes announce to every API process over PostgreSQL
/// `NOTIFY` on `<schema>_saisies` (delivered at commit): command outcomes (`c <id> <E|R>
/// <appliquées> <ignorées>`) and changed lots (`l <id>`). The API's side, which listens and
/// wakes the waiting requests, is `Attente`.
enum AnnoncesSaisies {
    static func canal(_ database: Database) -> String { "\(database.schema)_saisies" }

    /// Announces outcomes inside the caller's transaction (delivered at its commit). A payload
    /// holds at most ~7,900 bytes: the list is cut into several notifications.
    static func annoncer(_ resultats: [ResultatCommande], lots: [UUID] = [], on connection: PostgresConnection, database: Database) async throws {
        var items = resultats.map { r in
            "c \(r.commande.uuidString) \(r.statut == "enregistree" ? "E" : "R") \(r.appliquees) \(r.ignorees)"
        }
        items += lots.map { "l \($0.uuidString)" }
        var payloads: [String] = []
        var courant = ""
        for item in items {
            if courant.utf8.count + item.utf8.count + 1 > 7_900 {
                payloads.append(courant)
                courant = ""
            }
            courant += courant.isEmpty ? item : ";" + item
        }
        if !courant.isEmpty { payloads.append(courant) }
        guard !payloads.isEmpty else { return }
        try await SaisieRepository(database: database).notifier(payloads, canal: canal(database), on: connection)
    }

    /// Tells every API process that these lots changed (outside any transaction).
    static func signalerLots(_ lots: [UUID], database: Database) async throws {
        guard !lots.isEmpty else { return }
        try await database.client.withConnection { connection in
            try await annoncer([], lots: lots, on: connection, database: database)
        }
    }
}
