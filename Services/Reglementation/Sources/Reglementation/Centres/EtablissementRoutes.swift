import Contracts
import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/etablissements`: the établissements' records (writes: gestionnaire; reads: gestionnaire,
/// admin, service, and an établissement for its own UAI).
struct EtablissementRoutes: Sendable {
    let etablissements: EtablissementRepository

    struct FicheRequest: Decodable {
        var uai: String?
        var nom: String
        var adresse: String
        var codePostal: String
        var commune: String
        var secteur: String
        var habilitationCFA: Bool?
        var habilitationFPC: Bool?
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("etablissements") { request, context -> EditedResponse<Etablissement> in
            let caller = try context.require(.gestionnaire)
            let body = try await request.corps(FicheRequest.self)
            let fiche = try Self.verifier(body, uai: nil)
            return EditedResponse(status: .created, response: try await etablissements.creer(fiche, par: caller.subject))
        }

        group.get("etablissements") { request, context -> Page<Etablissement> in
            let caller = try context.require(.gestionnaire, .admin, .service, .etablissement)
            var v = Verification()
            let pagination = Pagination(request, &v)
            let query = request.uri.queryParameters
            var filtres = EtablissementRepository.Filtres()
            filtres.recherche = query.get("q").flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
            filtres.commune = query.get("commune")
            if let texte = query.get("secteur") {
                filtres.secteur = Secteur(rawValue: texte)
                if filtres.secteur == nil { v.erreur("secteur", "filtre.secteur", "Secteur « \(texte) » inconnu : public ou prive.") }
            }
            if let texte = query.get("habilitation") {
                if ["cfa", "fpc"].contains(texte) { filtres.habilitation = texte } else {
                    v.erreur("habilitation", "filtre.habilitation", "Habilitation « \(texte) » inconnue : cfa ou fpc.")
                }
            }
            if let texte = query.get("uai") {
                filtres.uais = v.champ("uai") { () throws(DomainError) in try UAI(texte) }.map { [$0.value] }
            }
            try v.verifier()
            filtres.uais = try Portee.uais(caller, demandees: filtres.uais)
            let result = try await etablissements.liste(filtres, pagination: pagination)
            return Page(items: result.items, total: result.total, pagination: pagination)
        }

        group.get("etablissements/:uai") { _, context -> Etablissement in
            let caller = try context.require(.gestionnaire, .admin, .service, .etablissement)
            let uai = try Self.uai(context)
            try Portee.exiger(caller, uai: uai)
            return try await etablissements.get(uai)
        }

        group.put("etablissements/:uai") { request, context -> Etablissement in
            let caller = try context.require(.gestionnaire)
            let uai = try Self.uai(context)
            let fiche = try Self.verifier(try await request.corps(FicheRequest.self), uai: uai)
            return try await etablissements.modifier(fiche, par: caller.subject)
        }

        group.delete("etablissements/:uai") { _, context -> HTTPResponse.Status in
            try context.require(.gestionnaire)
            try await etablissements.supprimer(try Self.uai(context))
            return .noContent
        }
    }

    /// The UAI of the path, or 422 naming `uai` (wrong check letter included).
    static func uai(_ context: ServiceRequestContext) throws -> UAI {
        try ServiceError.validating(field: "uai") { () throws(DomainError) in try UAI(context.parametre("uai")) }
    }

    static func verifier(_ body: FicheRequest, uai chemin: UAI?) throws -> FicheEtablissement {
        var v = Verification()
        var uai = chemin
        if let texte = body.uai {
            let lu = v.champ("uai") { () throws(DomainError) in try UAI(texte) }
            if let lu, let chemin, lu != chemin {
                v.erreur("uai", "etablissement.uai", "L'UAI du corps (\(lu.value)) diffère de celui de l'adresse (\(chemin.value)).")
            }
            uai = uai ?? lu
        } else if chemin == nil {
            v.erreur("uai", "champ.manquant", "Le champ « uai » est obligatoire.")
        }
        let nom = v.champ("nom") { () throws(DomainError) in try Champs.libelle(body.nom, code: "etablissement.nom", nom: "Le nom") }
        let adresse = v.champ("adresse") { () throws(DomainError) in try Champs.libelle(body.adresse, maximum: 300, code: "etablissement.adresse", nom: "L'adresse") }
        let commune = v.champ("commune") { () throws(DomainError) in try Champs.libelle(body.commune, maximum: 100, code: "etablissement.commune", nom: "La commune") }
        let codePostal = body.codePostal.trimmingCharacters(in: .whitespaces).uppercased()
        if codePostal.wholeMatch(of: /[0-9]{5}|2[AB][0-9]{3}/) == nil {
            v.erreur("codePostal", "etablissement.code_postal", "Code postal « \(body.codePostal) » invalide : 5 chiffres attendus (ex. 75005).")
        }
        let secteur = Secteur(rawValue: body.secteur)
        if secteur == nil { v.erreur("secteur", "etablissement.secteur", "Secteur « \(body.secteur) » inconnu : public ou prive.") }
        try v.verifier()
        return FicheEtablissement(
            uai: uai!, nom: nom!, adresse: adresse!, codePostal: codePostal, commune: commune!, secteur: secteur!,
            habilitationCFA: body.habilitationCFA ?? false, habilitationFPC: body.habilitationFPC ?? false)
    }
}

/// What an établissement may see: only its own UAIs (scopes `uai:<UAI>`).
enum Portee {
    /// The UAIs a list is limited to: the caller's own when it is an établissement.
    static func uais(_ caller: InternalIdentity, demandees: [String]?) throws -> [String]? {
        guard caller.role == .etablissement else { return demandees }
        let propres = caller.scopes.filter { $0.hasPrefix("uai:") }.map { String($0.dropFirst(4)) }.sorted()
        guard let demandees else { return propres }
        guard demandees.allSatisfy(propres.contains) else { throw ServiceError.forbidden() }
        return demandees
    }

    /// 403 unless the caller is staff or the établissement `uai` itself.
    static func exiger(_ caller: InternalIdentity, uai: UAI) throws {
        guard caller.role != .etablissement || caller.hasScope("uai", uai.value) else { throw ServiceError.forbidden() }
    }
}
