import Contracts
import Domain
import Foundation
import ServiceKit
import Storage
import Testing
import TestSupport
@testable import Organisation

/// Issue 12, point 11: the routes the gateway's aggregates call on organisation — a session's
/// progress for the gestionnaire's dashboard, a candidate's convocations for his file, each
/// candidate seeing only his own.
@Suite("Organisation: the dashboard's progress and the candidate file's convocations")
struct AvancementTests {
    struct Avancement: Decodable {
        var session: String
        var terminee: Bool
        var candidats: Int
        var sansConvocation: Int
        var epreuvesCandidats: Int
    }

    struct Convocation: Decodable {
        var numeroCandidat: String
        var candidature: UUID
        var version: Int?
    }

    struct Liste<T: Decodable>: Decodable { var items: [T] }

    @Test("the session's progress for the gestionnaire; a candidate's convocations for himself only, never for a grader or an établissement")
    func avancementEtConvocations() async throws {
        try await Banc.avecService { banc in
            let uai = try await banc.centre("Centre Jules Verne", salles: [Salle(nom: "B2", places: 10)], roles: [.inscription, .epreuve])
            let a = try banc.candidature(nom: "Garnier", prenoms: "Inès", etablissement: uai)
            let b = try banc.candidature(nom: "Roux", prenoms: "Paul", etablissement: uai)
            try await banc.nourrir([a, b])

            let avancement = try await banc.appel(.get, "/v1/sessions/\(banc.session)/avancement")
            #expect(avancement.status == .ok, "\(avancement.texte)")
            let etat = try avancement.json(Avancement.self)
            #expect(etat.session == banc.session)
            #expect(etat.candidats == 2)
            #expect(etat.sansConvocation == 2)
            #expect(etat.terminee == false)
            #expect(etat.epreuvesCandidats > 0)
            for role in [Role.candidat, .etablissement, .correcteur] {
                #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/avancement", role, scopes: ["uai:\(uai)"]).status == .forbidden)
            }
            #expect(try await banc.appel(.get, "/v1/sessions/2099-ZZ-99/avancement").status != .ok)

            // The candidate sees his own convocation line, not the other's.
            let sien = try await banc.appel(.get, "/v1/candidats/\(a.numero)/convocation", .candidat, scopes: ["candidat:\(a.numero)"], sujet: "compte-a")
            #expect(sien.status == .ok, "\(sien.texte)")
            let lignes = try sien.json(Liste<Convocation>.self).items
            #expect(lignes.map(\.numeroCandidat) == [a.numero])
            #expect(lignes.first?.candidature == a.id)
            let autre = try await banc.appel(.get, "/v1/candidats/\(b.numero)/convocation", .candidat, scopes: ["candidat:\(a.numero)"], sujet: "compte-a")
            #expect(autre.status == .forbidden)
            // A grader (of a written copy) or an établissement never reaches a candidate by identity here.
            #expect(try await banc.appel(.get, "/v1/candidats/\(a.numero)/convocation", .correcteur, scopes: ["lot:x"]).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/candidats/\(a.numero)/convocation", .etablissement, scopes: ["uai:\(uai)"]).status == .forbidden)
            // The gestionnaire: any candidate; nothing known is an empty list, not a 404.
            let gestion = try await banc.appel(.get, "/v1/candidats/\(b.numero)/convocation")
            #expect(try gestion.json(Liste<Convocation>.self).items.map(\.numeroCandidat) == [b.numero])
            let inconnu = try await banc.appel(.get, "/v1/candidats/inconnu-\(UUID().uuidString.prefix(8))/convocation")
            #expect(inconnu.status == .ok)
            #expect(try inconnu.json(Liste<Convocation>.self).items.isEmpty)
        }
    }
}
