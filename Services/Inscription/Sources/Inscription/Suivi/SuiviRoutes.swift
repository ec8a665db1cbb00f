import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/sessions/:code/statistiques`, `/v1/sessions/:code/candidatures.csv`.
struct SuiviRoutes: Sendable {
    let suivi: SuiviRepository
    let inscriptions: Inscriptions

    static let exportMaximal = 100_000

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/statistiques") { request, context -> Liste<SuiviRepository.Ligne> in
            let appelant = try context.require(.gestionnaire, .etablissement, .admin)
            let session = try CandidatureRoutes.session(context)
            let texte = request.uri.queryParameters.get("par") ?? "specialite"
            guard let axe = SuiviRepository.Axe(rawValue: texte) else {
                throw ServiceError.invalid("statistiques.axe", "Regroupement « \(texte) » inconnu : specialite, etablissement ou categorie.",
                                           details: [.init(location: "par", code: "statistiques.axe", message: "Regroupement inconnu.")])
            }
            let uais = appelant.role == .etablissement ? Portee.uais(appelant) : nil
            return Liste(items: try await suivi.statistiques(session: session.value, par: axe, uais: uais))
        }

        group.get("sessions/:code/candidatures.csv") { request, context -> Response in
            let appelant = try context.require(.gestionnaire, .etablissement)
            var v = Verification()
            let filtre = try CandidatureRoutes.filtre(request, context, appelant, &v)
            try v.verifier()
            let liste = try await inscriptions.candidatures.liste(filtre, pagination: Pagination(page: 1, taille: Self.exportMaximal))
            var csv = "\u{FEFF}" + Self.entete.joined(separator: ";") + "\r\n"
            for c in liste.items {
                let d = c.candidat
                let ligne = [
                    c.numero, c.etat.rawValue, d.ine ?? "", d.nomFamille, d.nomUsage ?? "", d.prenoms, d.sexe.rawValue, d.dateNaissance,
                    d.communeNaissance, c.categorie.rawValue, c.uai ?? "", c.etablissement ?? "", c.specialite,
                    c.options.joined(separator: ","), c.facultatives.joined(separator: ","), c.forme.rawValue,
                    (c.unites ?? []).filter { $0.situation == .presentee }.map(\.code).joined(separator: ","),
                    c.amenagementDemande ? "oui" : "non", c.valideeLe ?? "", c.consentementPublication ? "oui" : "non",
                ]
                csv += ligne.map(Self.cellule).joined(separator: ";") + "\r\n"
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8",
                          .contentDisposition: "attachment; filename=\"candidatures-\(filtre.session ?? "").csv\"", .cacheControl: "private, no-store"],
                body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
    }

    static let entete = [
        "numero", "etat", "ine", "nom_famille", "nom_usage", "prenoms", "sexe", "date_naissance", "commune_naissance", "categorie",
        "uai", "etablissement", "specialite", "options", "facultative", "forme", "unites_presentees", "amenagement", "validee_le",
        "consentement_publication",
    ]

    /// A CSV cell: quoted when it holds a separator, a quote or a line break; a leading
    /// `=`, `+`, `-` or `@` is neutralised so that a spreadsheet never runs it as a formula.
    static func cellule(_ texte: String) -> String {
        var valeur = texte
        if let premier = valeur.first, "=+-@".contains(premier) { valeur = "'" + valeur }
        guard valeur.contains(where: { ";\"\r\n".contains($0) }) else { return valeur }
        return "\"" + valeur.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
