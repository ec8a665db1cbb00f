import Contracts
import Domain
import Foundation
import Hummingbird
import ServiceKit

/// A regroupement: candidatures and épreuves gathered by criteria (spécialités, établissements,
/// départements, categories; empty = any), to be assigned together to the centres it allows
/// (empty = every centre épreuve of the session).
struct Regroupement: Codable, Sendable, ResponseEncodable {
    var id: UUID
    var session: String
    var libelle: String
    var specialites: [String]
    var uais: [String]
    var departements: [String]
    var categories: [String]
    /// Units (épreuves) grouped; empty = every ponctual unit of its candidates.
    var unites: [String]
    var centres: [String]
    var creePar: String
    var creeLe: String
    /// Filled in lists: épreuves-candidats matching, placed, not placed.
    var epreuves: Int?
    var placees: Int?
    var candidats: Int?
}

/// The body of a new regroupement.
struct SaisieRegroupement: Decodable, Sendable {
    var libelle: String?
    var specialites: [String]?
    var uais: [String]?
    var departements: [String]?
    var categories: [String]?
    var unites: [String]?
    var centres: [String]?

    /// The checked regroupement, every refused field named.
    func lire(session: String, par: String, _ v: inout Verification) -> Regroupement? {
        let texteLibelle = self.libelle ?? ""
        let libelle = v.champ("libelle") { () throws(DomainError) in
            try Champs.libelle(texteLibelle, maximum: 120, code: "regroupement.libelle", nom: "Le libellé du regroupement")
        }
        var uais: [String] = []
        for (i, texte) in (self.uais ?? []).enumerated() {
            if let uai = v.champ("uais[\(i)]", { () throws(DomainError) in try UAI(texte) }) { uais.append(uai.value) }
        }
        var centres: [String] = []
        for (i, texte) in (self.centres ?? []).enumerated() {
            if let uai = v.champ("centres[\(i)]", { () throws(DomainError) in try UAI(texte) }) { centres.append(uai.value) }
        }
        var departements: [String] = []
        for (i, texte) in (self.departements ?? []).enumerated() {
            let valeur = texte.trimmingCharacters(in: .whitespaces).uppercased()
            // Département codes as the first three characters of a UAI: 075, 069, 02A…
            let code = valeur.count == 2 ? "0" + valeur : valeur
            if code.wholeMatch(of: /[0-9]{3}|0[0-9][AB]|97[0-9]/) != nil { departements.append(code) } else {
                v.erreur("departements[\(i)]", "regroupement.departement", "Département « \(texte) » invalide : attendu un code comme 75, 069 ou 2A.")
            }
        }
        var categories: [String] = []
        for (i, texte) in (self.categories ?? []).enumerated() {
            if CategorieInscription(rawValue: texte) != nil { categories.append(texte) } else {
                v.erreur("categories[\(i)]", "regroupement.categorie",
                         "Catégorie « \(texte) » inconnue : \(CategorieInscription.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        func codes(_ valeurs: [String]?, _ champ: String, _ nom: String) -> [String] {
            (valeurs ?? []).enumerated().compactMap { i, texte in
                v.champ("\(champ)[\(i)]") { () throws(DomainError) in try Champs.code(texte, nom: nom, code: "regroupement.\(champ)") }
            }
        }
        let specialites = codes(self.specialites, "specialites", "Code de spécialité")
        let unites = codes(self.unites, "unites", "Code d'unité")
        guard let libelle, v.estValide else { return nil }
        return Regroupement(
            id: UUID(), session: session, libelle: libelle, specialites: specialites, uais: uais, departements: departements,
            categories: categories, unites: unites, centres: centres, creePar: par, creeLe: "")
    }
}
