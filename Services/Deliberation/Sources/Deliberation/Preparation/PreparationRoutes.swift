import Domain
import Foundation
import Hummingbird
import MoteurDeliberation
import ServiceKit

/// The gestionnaire's preparation, before any jury opens: `GET /v1/sessions/:code/notes-manquantes`
/// (who lacks what, by unit; paged, filtered by spécialité) and `GET /v1/sessions/:code/statistiques`
/// (the projected decisions: distribution of averages, pass rate by spécialité, établissement and
/// category). Both read the projection of every candidate; nothing is decided or stored.
struct PreparationRoutes: Sendable {
    let projection: Projection

    struct Manquantes: ResponseEncodable, Sendable {
        var candidats: Int
        var complets: Int
        var parUnite: [ParUnite]
        var items: [Candidat]
        var total: Int
        var page: Int
        var taille: Int

        struct ParUnite: Encodable, Sendable {
            var unite: String
            var manquantes: Int
        }

        struct Candidat: Encodable, Sendable {
            var numero: String
            var specialite: String
            var etablissement: String?
            var manques: [Dossier.Manque]
            var erreur: String?
        }
    }

    struct Statistiques: ResponseEncodable, Sendable {
        var candidats: Int
        var parDecision: [Effectif]
        /// Averages by whole point: `[0, 1)`, …, `[19, 20]`.
        var distribution: [Effectif]
        var parSpecialite: [Taux]
        var parEtablissement: [Taux]
        var parCategorie: [Taux]

        struct Effectif: Encodable, Sendable {
            var cle: String
            var effectif: Int
        }

        /// Admis among those decided (admis or ajourné), in tenths of a percent.
        struct Taux: Encodable, Sendable {
            var cle: String
            var candidats: Int
            var decides: Int
            var admis: Int
            /// « 66,7 % », or « — » when nobody is decided yet.
            var taux: String
        }
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/notes-manquantes") { request, context -> Manquantes in
            try context.require(.gestionnaire, .admin)
            var verification = Verification()
            let pagination = Pagination(request, &verification)
            try verification.verifier()
            let session = try SimulationRoutes.session(context)
            let lignes = try await projection.projeter(
                session: session, specialite: Self.specialite(request), date: try SimulationRoutes.aujourdhuiOu422())
            var parUnite: [String: Int] = [:]
            for ligne in lignes { for manque in ligne.manques { parUnite[manque.unite, default: 0] += 1 } }
            let incomplets = lignes.filter { !$0.manques.isEmpty || $0.erreur != nil }
            return Manquantes(
                candidats: lignes.count, complets: lignes.count - incomplets.count,
                parUnite: parUnite.sorted { $0.key < $1.key }.map { .init(unite: $0.key, manquantes: $0.value) },
                items: incomplets.dropFirst(min(pagination.offset, incomplets.count)).prefix(pagination.taille).map {
                    .init(numero: $0.dossier.numero, specialite: $0.dossier.specialite, etablissement: $0.dossier.etablissement,
                          manques: $0.manques, erreur: $0.erreur)
                },
                total: incomplets.count, page: pagination.page, taille: pagination.taille)
        }

        group.get("sessions/:code/statistiques") { request, context -> Statistiques in
            try context.require(.gestionnaire, .admin)
            let session = try SimulationRoutes.session(context)
            let lignes = try await projection.projeter(
                session: session, specialite: Self.specialite(request), date: try SimulationRoutes.aujourdhuiOu422())
            return Self.statistiques(lignes)
        }
    }

    static func specialite(_ request: Request) -> String? {
        request.uri.queryParameters.get("specialite").map { String($0.trimmingCharacters(in: .whitespaces).uppercased().prefix(60)) }
            .flatMap { $0.isEmpty ? nil : $0 }
    }

    static func statistiques(_ lignes: [Projection.Ligne]) -> Statistiques {
        var decisions: [Decision: Int] = [:]
        var tranches = [Int](repeating: 0, count: 20)
        for ligne in lignes {
            guard let deliberation = ligne.deliberation else { continue }
            decisions[deliberation.decision, default: 0] += 1
            if let moyenne = deliberation.moyenne {
                // Whole points of the exact average, 20 in the last bucket.
                tranches[min(moyenne.centiemesTronques / 100, 19)] += 1
            }
        }
        func taux(_ cle: (Projection.Ligne) -> String) -> [Statistiques.Taux] {
            Dictionary(grouping: lignes, by: cle).map { cle, groupe in
                let admis = groupe.filter { $0.deliberation?.decision == .admis }.count
                let decides = groupe.filter { [.admis, .ajourne].contains($0.deliberation?.decision) }.count
                return Statistiques.Taux(
                    cle: cle, candidats: groupe.count, decides: decides, admis: admis,
                    taux: decides == 0 ? "—" : Self.pourcentage(admis, sur: decides))
            }.sorted { $0.cle < $1.cle }
        }
        return Statistiques(
            candidats: lignes.count,
            parDecision: Decision.allCases.map { .init(cle: $0.rawValue, effectif: decisions[$0] ?? 0) },
            distribution: tranches.enumerated().map { .init(cle: "\($0.offset)–\($0.offset + 1)", effectif: $0.element) },
            parSpecialite: taux { $0.dossier.specialite },
            parEtablissement: taux { $0.dossier.etablissement ?? "Grand Public" },
            parCategorie: taux { $0.dossier.categorie })
    }

    /// `admis / decides` in percent with one decimal, truncated: « 66,6 % ».
    static func pourcentage(_ admis: Int, sur decides: Int) -> String {
        let dixiemes = admis * 1000 / decides
        return "\(dixiemes / 10),\(dixiemes % 10) %"
    }
}
