import ServiceKit
import Contracts
import Domain
import Foundation
import Yams

/// A national pilot file that passed every check: the règlements it brings.
public struct PiloteLu: Sendable {
    public var reglements: [Reglement]
    /// Where each spécialité's `version` is written, for the errors found against the database.
    var positionsVersion: [String: String]
}

/// Reads and checks a national pilot file (the format of `Pilote/pilote-national.yaml`),
/// reporting every error with its location; nothing is kept when there is one.
public enum PiloteLecture {
    public static func lire(_ texte: String) -> (pilote: PiloteLu?, erreurs: [PiloteErreur]) {
        var lecture = Lecture()
        let reglements = lecture.document(texte)
        let erreurs = lecture.lecteur.erreurs
        guard erreurs.isEmpty, let reglements else { return (nil, erreurs) }
        return (PiloteLu(reglements: reglements, positionsVersion: lecture.positionsVersion), [])
    }

    static let maximumObligatoires = 6
    static let maximumFacultatives = 3
    /// The largest coefficient of a unit (the BP's are at most a few tens).
    static let coefficientMaximal = 100
}

/// One reading: the reader, and what must be unique across the file.
private struct Lecture {
    var lecteur = LecteurYAML()
    var positionsVersion: [String: String] = [:]
    var sujets: [String: String] = [:]

    mutating func document(_ texte: String) -> [Reglement]? {
        guard let racine = lecteur.racine(texte),
              let champs = lecteur.mapping(racine, obligatoires: ["specialites"], facultatives: ["format", "description"])
        else { return nil }
        if let format = champs["format"], let valeur = lecteur.entier(format, code: "pilote.format", nom: "Le format"), valeur != 1 {
            lecteur.erreur(format, "pilote.format", "Format \(valeur) inconnu : ce service lit le format 1.")
        }
        guard let noeud = champs["specialites"], let items = lecteur.liste(noeud) else { return nil }
        var reglements: [Reglement] = []
        var vues: [String: String] = [:]
        for (index, item) in items.enumerated() {
            let element = Self.element(noeud, index, item)
            if let code = Self.code(item) {
                if let premiere = vues[code] {
                    lecteur.erreur(element, "pilote.doublon_specialite", "La spécialité \(code) figure deux fois dans le fichier (déjà à \(premiere)).")
                    continue
                }
                vues[code] = element.location
            }
            if let reglement = specialite(element) { reglements.append(reglement) }
        }
        return reglements
    }

    mutating func specialite(_ noeud: Noeud) -> Reglement? {
        guard let champs = lecteur.mapping(noeud, obligatoires: ["code", "libelle", "version", "epreuves"], facultatives: ["reference"]) else { return nil }
        let code = self.code(champs["code"], motif: /[A-Z][A-Z0-9_]{1,29}/, nom: "Le code de spécialité", exemple: "BOULANGER")
        let libelle = lecteur.texte(champs["libelle"])
        let reference = lecteur.texte(champs["reference"])
        var version: Int?
        if let champ = champs["version"], let valeur = lecteur.entier(champ, code: "pilote.version", nom: "La version") {
            if valeur > 0 { version = valeur } else {
                lecteur.erreur(champ, "pilote.version", "La version doit être un entier strictement positif (reçu \(valeur)).")
            }
            if let code { positionsVersion[code] = champ.location }
        }
        var epreuves: [Epreuve] = []
        var epreuvesVues: [String: String] = [:]
        var unitesVues: [String: String] = [:]
        var complet = code != nil && libelle != nil && version != nil
        if let liste = champs["epreuves"], let items = lecteur.liste(liste) {
            for (index, item) in items.enumerated() {
                let element = Self.element(liste, index, item)
                if let code = Self.code(item) {
                    if let autre = epreuvesVues[code] {
                        lecteur.erreur(element, "pilote.doublon_epreuve", "L'épreuve \(code) figure deux fois dans la spécialité (déjà à \(autre)).")
                        complet = false
                        continue
                    }
                    epreuvesVues[code] = element.location
                }
                guard let epreuve = epreuve(element, unitesVues: &unitesVues) else { complet = false; continue }
                epreuves.append(epreuve)
            }
            // Counted on the file as written, so that the count is checked even when an épreuve has other errors.
            let obligatoires = items.filter { item in
                !["true", "oui", "yes"].contains(item.mapping?["facultative"]?.string?.lowercased() ?? "")
            }.count
            if !(1...PiloteLecture.maximumObligatoires).contains(obligatoires) {
                lecteur.erreur(
                    liste, "pilote.epreuves_obligatoires",
                    "Une spécialité compte de 1 à \(PiloteLecture.maximumObligatoires) épreuves obligatoires (ici \(obligatoires)).")
            }
            let facultatives = items.count - obligatoires
            if facultatives > PiloteLecture.maximumFacultatives {
                lecteur.erreur(
                    liste, "pilote.facultatives",
                    "Une spécialité compte au plus \(PiloteLecture.maximumFacultatives) épreuves facultatives (ici \(facultatives)).")
            }
        } else {
            complet = false
        }
        guard complet, let code, let libelle, let version else { return nil }
        return Reglement(specialite: code, libelle: libelle, version: version, reference: reference, epreuves: epreuves)
    }

    mutating func epreuve(_ noeud: Noeud, unitesVues: inout [String: String]) -> Epreuve? {
        guard let champs = lecteur.mapping(noeud, obligatoires: ["code", "libelle", "unites"], facultatives: ["coefficient", "facultative", "au_choix"]) else { return nil }
        let code = self.code(champs["code"], motif: /[A-Z][A-Z0-9]{0,11}/, nom: "Le code d'épreuve", exemple: "E41")
        let libelle = lecteur.texte(champs["libelle"])
        let facultative = lecteur.booleen(champs["facultative"], defaut: false)
        let auChoix = lecteur.booleen(champs["au_choix"], defaut: false)
        let declare = champs["coefficient"].flatMap { lecteur.entier($0, code: "pilote.coefficient", nom: "Le coefficient") }
        var unites: [Unite] = []
        var complet = code != nil && libelle != nil
        if let liste = champs["unites"], let items = lecteur.liste(liste) {
            for (index, item) in items.enumerated() {
                let element = Self.element(liste, index, item)
                if let code = Self.code(item) {
                    if let autre = unitesVues[code] {
                        lecteur.erreur(element, "pilote.unite_multiple", "L'unité \(code) figure déjà à \(autre) : une unité appartient à une seule épreuve.")
                        complet = false
                        continue
                    }
                    unitesVues[code] = element.location
                }
                guard let unite = unite(element, facultative: facultative) else { complet = false; continue }
                unites.append(unite)
            }
            if items.isEmpty {
                lecteur.erreur(liste, "pilote.epreuve_vide", "Une épreuve porte au moins une unité.")
                complet = false
            }
        } else {
            complet = false
        }
        if facultative && auChoix {
            lecteur.erreur(noeud, "pilote.option", "Une épreuve facultative ne peut pas être un groupe d'options.")
            complet = false
        }
        if facultative && unites.count > 1 {
            lecteur.erreur(noeud, "pilote.facultative_unites", "Une épreuve facultative porte une seule unité (ici \(unites.count)).")
            complet = false
        }
        if auChoix && complet && unites.count < 2 {
            lecteur.erreur(noeud, "pilote.option", "Un groupe d'options (au_choix) propose au moins deux unités.")
            complet = false
        }
        if auChoix && Set(unites.map(\.coefficient)).count > 1 {
            lecteur.erreur(noeud, "pilote.option_coefficients", "Les unités d'un groupe d'options ont le même coefficient (ici \(unites.map { "\($0.code) : \($0.coefficient ?? 0)" }.joined(separator: ", "))).")
            complet = false
        }
        guard complet, let code, let libelle else { return nil }
        var coefficient: Int?
        if !facultative {
            coefficient = auChoix ? unites.first?.coefficient : unites.compactMap(\.coefficient).reduce(0, +)
        }
        if let declare, let champ = champs["coefficient"] {
            if facultative {
                lecteur.erreur(champ, "pilote.coefficient_facultative", "Une épreuve facultative n'a pas de coefficient : seuls les points au-dessus de 10 comptent.")
                return nil
            }
            if declare != coefficient {
                lecteur.erreur(
                    champ, "pilote.coefficient_somme",
                    "Le coefficient de l'épreuve (\(declare)) diffère de celui de ses unités (\(coefficient ?? 0)).")
                return nil
            }
        }
        return Epreuve(code: code, libelle: libelle, facultative: facultative, auChoix: auChoix, coefficient: coefficient, unites: unites)
    }

    mutating func unite(_ noeud: Noeud, facultative: Bool) -> Unite? {
        guard let champs = lecteur.mapping(
            noeud, obligatoires: ["code", "libelle", "formes", "duree"],
            facultatives: ["sous_epreuve", "coefficient", "preparation", "pas", "pas_ccf", "ccf", "dates"])
        else { return nil }
        let avant = lecteur.erreurs.count
        let code = self.code(champs["code"], motif: /[A-Z][A-Z0-9]{0,11}/, nom: "Le code d'unité", exemple: "U41")
        let sousEpreuve = champs["sous_epreuve"].flatMap { self.code($0, motif: /[A-Z][A-Z0-9]{0,11}/, nom: "Le code de sous-épreuve", exemple: "E41") }
        let libelle = lecteur.texte(champs["libelle"])
        var coefficient: Int?
        if let champ = champs["coefficient"], let valeur = lecteur.entier(champ, code: "pilote.coefficient", nom: "Le coefficient") {
            if facultative {
                lecteur.erreur(champ, "pilote.coefficient_facultative", "Une unité facultative n'a pas de coefficient : seuls les points au-dessus de 10 comptent.")
            } else if !(1...PiloteLecture.coefficientMaximal).contains(valeur) {
                // Bounded: the coefficients of an épreuve are summed, and a sum that overflows traps.
                lecteur.erreur(champ, "pilote.coefficient", "Le coefficient doit être un entier de 1 à \(PiloteLecture.coefficientMaximal) (reçu \(valeur)).")
            } else {
                coefficient = valeur
            }
        } else if champs["coefficient"] == nil && !facultative {
            lecteur.erreur(noeud, "pilote.coefficient_manquant", "Le champ « coefficient » est obligatoire pour une unité d'une épreuve obligatoire.")
        }
        var formes: [FormeEpreuve] = []
        if let liste = lecteur.textes(champs["formes"]) {
            for (texte, element) in liste {
                if let forme = FormeEpreuve(rawValue: texte) {
                    if !formes.contains(forme) { formes.append(forme) }
                } else {
                    lecteur.erreur(element, "pilote.forme", "Forme « \(texte) » inconnue : ecrite, orale ou pratique.")
                }
            }
            if liste.isEmpty { lecteur.erreur(champs["formes"]!, "pilote.forme", "Au moins une forme est attendue : ecrite, orale ou pratique.") }
        }
        let dureeMinutes = duree(champs["duree"])
        let preparation = duree(champs["preparation"])
        let pasPonctuel = pas(champs["pas"]) ?? .quart
        let pasCCF = pas(champs["pas_ccf"]) ?? .demi
        var modes = Dictionary(uniqueKeysWithValues: CategorieCandidat.allCases.map { ($0, ModeEvaluation.ponctuel) })
        for (texte, element) in lecteur.textes(champs["ccf"]) ?? [] {
            guard let categorie = CategorieCandidat(rawValue: texte) else {
                lecteur.erreur(element, "pilote.categorie", "Catégorie « \(texte) » inconnue : \(CategorieCandidat.allCases.map(\.rawValue).joined(separator: ", ")).")
                continue
            }
            guard categorie.peutPasserEnCCF else {
                lecteur.erreur(element, "pilote.ccf_non_habilite", "Les candidats « \(categorie.libelle) » passent toutes les épreuves en ponctuel : pas de CCF pour eux.")
                continue
            }
            modes[categorie] = .ccf
        }
        let datesNationales = dates(champs["dates"])
        guard lecteur.erreurs.count == avant, let code, let libelle, let dureeMinutes else { return nil }
        return Unite(
            code: code, sousEpreuve: sousEpreuve, libelle: libelle, coefficient: coefficient, formes: formes.sorted(),
            dureeMinutes: dureeMinutes, preparationMinutes: preparation, pas: pasPonctuel, pasCCF: pasCCF, modes: modes,
            dates: datesNationales)
    }

    mutating func dates(_ noeud: Noeud?) -> [DateNationale] {
        guard let noeud, let items = lecteur.liste(noeud) else { return [] }
        var dates: [DateNationale] = []
        for (index, item) in items.enumerated() {
            let element = Noeud(node: item, chemin: "\(noeud.chemin)[\(index)]")
            guard let champs = lecteur.mapping(element, obligatoires: ["session", "debut", "sujet"], facultatives: []) else { continue }
            var session: SessionCode?
            if let champ = champs["session"], let texte = lecteur.texte(champ) {
                do { session = try SessionCode(texte) } catch { lecteur.erreur(champ, "pilote.date_session", error.message) }
            }
            var debut: String?
            if let champ = champs["debut"], let texte = lecteur.texte(champ) {
                do { debut = try Champs.horodatage(texte) } catch { lecteur.erreur(champ, "pilote.date", error.message) }
                if let session, let debut, !debut.hasPrefix("\(session.annee)-") {
                    lecteur.erreur(champ, "pilote.date_session", "La date \(debut) n'est pas de l'année de la session \(session.value).")
                }
            }
            let sujet = lecteur.texte(champs["sujet"])
            if let sujet, let champ = champs["sujet"] {
                if let autre = sujets[sujet] {
                    lecteur.erreur(champ, "pilote.sujet_doublon", "La référence de sujet \(sujet) est déjà utilisée à \(autre).")
                } else {
                    sujets[sujet] = champ.location
                }
            }
            guard let session, let debut, let sujet else { continue }
            if dates.contains(where: { $0.session == session }) {
                lecteur.erreur(element, "pilote.date_doublon", "L'unité a déjà une date pour la session \(session.value).")
                continue
            }
            dates.append(DateNationale(session: session, debut: debut, sujet: sujet))
        }
        return dates
    }

    /// Minutes from `120`, `2h`, `2h30`, `12 h`, `20min`.
    mutating func duree(_ noeud: Noeud?) -> Int? {
        guard let noeud, let texte = lecteur.texte(noeud) else { return nil }
        let compact = texte.lowercased().replacingOccurrences(of: " ", with: "")
        var minutes: Int?
        if let valeur = Int(compact) {
            minutes = valeur
        } else if let m = compact.wholeMatch(of: /([0-9]{1,2})h([0-9]{2})?/), let heures = Int(m.1) {
            minutes = heures * 60 + (m.2.flatMap { Int($0) } ?? 0)
        } else if let m = compact.wholeMatch(of: /([0-9]{1,4})min/) {
            minutes = Int(m.1)
        }
        guard let minutes, (1...2880).contains(minutes) else {
            lecteur.erreur(noeud, "pilote.duree", "Durée « \(texte) » invalide : attendu des minutes (120) ou des heures (2h30), au plus 48 h.")
            return nil
        }
        return minutes
    }

    /// A grading step written `0.25`, `0,5` or `1`.
    mutating func pas(_ noeud: Noeud?) -> PasDeNotation? {
        guard let noeud, let texte = lecteur.texte(noeud) else { return nil }
        guard let m = texte.wholeMatch(of: /([0-9]{1,2})(?:[.,]([0-9]{1,2}))?/), let entier = Int(m.1) else {
            lecteur.erreur(noeud, "pilote.pas", "Pas de notation « \(texte) » invalide : attendu un nombre comme 0.25, 0.5 ou 1.")
            return nil
        }
        let decimales = m.2.map { $0.count == 1 ? Int($0)! * 10 : Int($0)! } ?? 0
        do {
            return try PasDeNotation(centiemes: entier * 100 + decimales)
        } catch {
            lecteur.erreur(noeud, "pilote.pas", error.message)
            return nil
        }
    }

    mutating func code(_ noeud: Noeud?, motif: Regex<Substring>, nom: String, exemple: String) -> String? {
        guard let noeud, let texte = lecteur.texte(noeud) else { return nil }
        guard texte.wholeMatch(of: motif) != nil else {
            lecteur.erreur(noeud, "pilote.code", "\(nom) « \(texte) » est invalide : lettres majuscules et chiffres, sans espace (ex. \(exemple)).")
            return nil
        }
        return texte
    }

    /// An item of a list, named by its `code` when it has a readable one: `epreuves[E4]`.
    static func element(_ liste: Noeud, _ index: Int, _ item: Node) -> Noeud {
        Noeud(node: item, chemin: "\(liste.chemin)[\(code(item) ?? "#\(index + 1)")]")
    }

    /// The `code` of an item of a list as written, before any check.
    static func code(_ item: Node) -> String? {
        guard let code = item.mapping?["code"]?.string?.trimmingCharacters(in: .whitespaces), !code.isEmpty else { return nil }
        return code
    }
}
