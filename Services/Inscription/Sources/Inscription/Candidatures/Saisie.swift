import Contracts
import Domain
import Foundation
import ServiceKit

/// A candidature as a form sends it (JSON body, CSV line): every field optional at this level so
/// that each missing or malformed one is named in French, all at once.
struct Saisie: Decodable, Sendable {
    struct CandidatSaisi: Decodable, Sendable {
        var ine: String?
        var nomFamille: String?
        var nomUsage: String?
        var prenoms: String?
        var sexe: String?
        var dateNaissance: String?
        var communeNaissance: String?
        var paysNaissance: String?
        var adresse: String?
        var codePostal: String?
        var commune: String?
        var courriel: String?
        var telephone: String?
    }

    struct BeneficeSaisi: Decodable, Sendable {
        var unite: String?
        var note: String?
        var session: String?
        var dateObtention: String?
    }

    struct DispenseSaisie: Decodable, Sendable {
        var unite: String?
        var motif: String?
        var precision: String?
    }

    var candidat: CandidatSaisi?
    var categorie: String?
    var uai: String?
    var specialite: String?
    var options: [String]?
    var facultatives: [String]?
    var forme: String?
    var benefices: [BeneficeSaisi]?
    var dispenses: [DispenseSaisie]?
    /// Forme progressive: the compulsory units left for a later session.
    var ulterieures: [String]?
    /// The gestionnaire confirms that a homonym (same name and birth date) is another person.
    var accepterHomonyme: Bool?
    /// The candidate agrees that his name be published with his result: absent, false on
    /// creation and unchanged on a change (`consentementDonne`).
    var consentementPublication: OuiNon?

    /// The consent as sent, when it is a yes or a no (nil: not sent, or refused by `lire`).
    var consentementDonne: Bool? {
        if case .valeur(let oui)? = consentementPublication { oui } else { nil }
    }

    /// The checked candidate and choices; every error recorded in `v` with its field.
    func lire(_ v: inout Verification, prefixe: String = "") -> (Candidat, Choix)? {
        let c = candidat ?? CandidatSaisi()
        func champ(_ nom: String) -> String { prefixe + nom }
        func texte(_ valeur: String?, _ nom: String, _ libelle: String, maximum: Int = 100, obligatoire: Bool = true) -> String? {
            let propre = valeur?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if propre.isEmpty {
                if obligatoire { v.erreur(champ(nom), "champ.manquant", "\(libelle) est obligatoire.") }
                return nil
            }
            guard propre.count <= maximum else {
                v.erreur(champ(nom), "champ.longueur", "\(libelle) compte \(maximum) caractères au plus.")
                return nil
            }
            return propre
        }

        let ine: String? = c.ine.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }.flatMap { texte in
            v.champ(champ("candidat.ine")) { () throws(DomainError) in try INE(texte).value }
        }
        let nomFamille = texte(c.nomFamille, "candidat.nomFamille", "Le nom de famille")
        let nomUsage = texte(c.nomUsage, "candidat.nomUsage", "Le nom d'usage", obligatoire: false)
        let prenoms = texte(c.prenoms, "candidat.prenoms", "Le prénom", maximum: 150)
        var sexe: Sexe?
        switch c.sexe?.trimmingCharacters(in: .whitespaces).uppercased() {
        case "M", "1": sexe = .masculin
        case "F", "2": sexe = .feminin
        default: v.erreur(champ("candidat.sexe"), "candidat.sexe", "Le sexe est obligatoire : M ou F.")
        }
        var dateNaissance: String?
        if let brute = texte(c.dateNaissance, "candidat.dateNaissance", "La date de naissance") {
            dateNaissance = Self.jour(brute, champ("candidat.dateNaissance"), &v)
            if let jour = dateNaissance, let annee = Int(jour.prefix(4)) {
                let courante = Calendar(identifier: .gregorian).component(.year, from: Date())
                if !(courante - 99...courante - 14).contains(annee) {
                    v.erreur(champ("candidat.dateNaissance"), "candidat.age", "Date de naissance \(jour) improbable : le candidat doit avoir entre 14 et 99 ans.")
                    dateNaissance = nil
                }
            }
        }
        let communeNaissance = texte(c.communeNaissance, "candidat.communeNaissance", "La commune de naissance")
        let paysNaissance = texte(c.paysNaissance, "candidat.paysNaissance", "Le pays de naissance", obligatoire: false) ?? "France"
        let adresse = texte(c.adresse, "candidat.adresse", "L'adresse", maximum: 200)
        var codePostal = texte(c.codePostal, "candidat.codePostal", "Le code postal", maximum: 10)
        if let cp = codePostal, cp.wholeMatch(of: /[0-9]{5}/) == nil {
            v.erreur(champ("candidat.codePostal"), "candidat.code_postal", "Code postal « \(cp) » invalide : 5 chiffres.")
            codePostal = nil
        }
        let commune = texte(c.commune, "candidat.commune", "La commune")
        var courriel = texte(c.courriel, "candidat.courriel", "Le courriel", maximum: 200, obligatoire: false)
        if let adresseCourriel = courriel, adresseCourriel.wholeMatch(of: /[^@\s]+@[^@\s]+\.[^@\s]+/) == nil {
            v.erreur(champ("candidat.courriel"), "candidat.courriel", "Courriel « \(adresseCourriel) » invalide (ex. prenom.nom@exemple.fr).")
            courriel = nil
        }
        var telephone = texte(c.telephone, "candidat.telephone", "Le téléphone", maximum: 20, obligatoire: false)
        if let numero = telephone {
            let chiffres = numero.filter { !" .-".contains($0) }
            if chiffres.wholeMatch(of: /\+?[0-9]{9,15}/) == nil {
                v.erreur(champ("candidat.telephone"), "candidat.telephone", "Téléphone « \(numero) » invalide : 10 chiffres (ex. 06 12 34 56 78).")
                telephone = nil
            } else {
                telephone = chiffres
            }
        }

        var categorie: CategorieInscription?
        if let brute = texte(categorie_, "categorie", "La catégorie") {
            categorie = CategorieInscription(rawValue: brute.lowercased())
            if categorie == nil {
                v.erreur(champ("categorie"), "candidature.categorie",
                         "Catégorie « \(brute) » inconnue : \(CategorieInscription.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        var uai: String?
        if let brute = uai_?.trimmingCharacters(in: .whitespaces), !brute.isEmpty {
            uai = v.champ(champ("uai")) { () throws(DomainError) in try UAI(brute).value }
        }
        if categorie == .individuel && uai != nil {
            v.erreur(champ("uai"), "candidature.uai_grand_public", "Un candidat individuel (Grand Public) s'inscrit sans établissement : retirez l'UAI.")
        } else if let categorie, categorie != .individuel, uai == nil, (uai_ ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            v.erreur(champ("uai"), "candidature.uai_requise", "L'établissement d'inscription (UAI) est obligatoire pour un candidat \(categorie.libelle).")
        }
        var specialite: String?
        if let brute = texte(specialite_, "specialite", "La spécialité", maximum: 40) {
            specialite = v.champ(champ("specialite")) { () throws(DomainError) in try Champs.code(brute, nom: "Spécialité", code: "candidature.specialite") }
        }
        let options = (self.options ?? []).map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
        let facultatives = (self.facultatives ?? []).map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
        var forme: FormePassage?
        if let brute = texte(forme_, "forme", "La forme (globale ou progressive)") {
            forme = FormePassage(rawValue: brute.lowercased())
            if forme == nil { v.erreur(champ("forme"), "candidature.forme", "Forme « \(brute) » inconnue : globale ou progressive.") }
        }

        var benefices: [Benefice] = []
        for (index, b) in (self.benefices ?? []).enumerated() {
            let lieu = "benefices[\(index)]"
            let unite = texte(b.unite, "\(lieu).unite", "L'unité du bénéfice", maximum: 20)?.uppercased()
            var note: Int?
            if let brute = texte(b.note, "\(lieu).note", "La note du bénéfice", maximum: 10) {
                note = v.champ(champ("\(lieu).note")) { () throws(DomainError) in try Note.parse(brute, pas: .centieme) }.flatMap { parsed in
                    if parsed.centiemes == nil {
                        v.erreur(champ("\(lieu).note"), "benefice.note", "Un bénéfice porte une note chiffrée, pas « \(brute) ».")
                    }
                    return parsed.centiemes
                }
            }
            let jour = texte(b.dateObtention, "\(lieu).dateObtention", "La date d'obtention du bénéfice").flatMap { Self.jour($0, champ("\(lieu).dateObtention"), &v) }
            // The session it was obtained at, as the relevé de notes shows it: the délibération
            // names it on the candidate's relevé and counts the 5 years from that session's day.
            let session = texte(b.session, "\(lieu).session", "La session d'obtention du bénéfice (ex. BP-2025-06-N)", maximum: 20)
                .flatMap { brute in v.champ(champ("\(lieu).session")) { () throws(DomainError) in try SessionCode(brute.uppercased()).value } }
            if let unite, let note, let jour, let session {
                benefices.append(Benefice(unite: unite, note: note, session: session, dateObtention: jour))
            }
        }
        var dispenses: [Dispense] = []
        for (index, d) in (self.dispenses ?? []).enumerated() {
            let lieu = "dispenses[\(index)]"
            let unite = texte(d.unite, "\(lieu).unite", "L'unité dispensée", maximum: 20)?.uppercased()
            var motif: MotifDispense?
            if let brute = texte(d.motif, "\(lieu).motif", "Le motif de la dispense") {
                motif = MotifDispense(rawValue: brute.lowercased())
                if motif == nil { v.erreur(champ("\(lieu).motif"), "dispense.motif", "Motif de dispense « \(brute) » inconnu : diplome ou acquis.") }
            }
            let precision = texte(d.precision, "\(lieu).precision", "La précision", maximum: 200, obligatoire: false)
            if let unite, let motif { dispenses.append(Dispense(unite: unite, motif: motif, precision: precision)) }
        }

        if case .invalide(let brut, let attendu)? = consentementPublication {
            v.erreur(champ("consentementPublication"), "candidature.consentement",
                     "Consentement à la publication du nom « \(brut) » invalide : \(attendu).")
        }

        guard let nomFamille, let prenoms, let sexe, let dateNaissance, let communeNaissance, let adresse, let codePostal,
              let commune, let categorie, let specialite, let forme, v.estValide
        else { return nil }
        return (
            Candidat(ine: ine, nomFamille: nomFamille, nomUsage: nomUsage, prenoms: prenoms, sexe: sexe, dateNaissance: dateNaissance,
                     communeNaissance: communeNaissance, paysNaissance: paysNaissance, adresse: adresse, codePostal: codePostal,
                     commune: commune, courriel: courriel, telephone: telephone),
            Choix(categorie: categorie, uai: uai, specialite: specialite, options: options, facultatives: facultatives, forme: forme,
                  benefices: benefices, dispenses: dispenses,
                  ulterieures: (ulterieures ?? []).map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty },
                  consentementPublication: consentementDonne ?? false)
        )
    }

    // The body's keys (`categorie`, `uai`…) read through these so that the local names above stay free.
    private var categorie_: String? { categorie }
    private var uai_: String? { uai }
    private var specialite_: String? { specialite }
    private var forme_: String? { forme }

    /// `YYYY-MM-DD`, or `DD/MM/YYYY` as spreadsheets and SIECLE write it.
    static func jour(_ texte: String, _ lieu: String, _ v: inout Verification) -> String? {
        var brut = texte.trimmingCharacters(in: .whitespaces)
        if let m = brut.wholeMatch(of: /([0-9]{2})\/([0-9]{2})\/([0-9]{4})/) { brut = "\(m.3)-\(m.2)-\(m.1)" }
        return v.champ(lieu) { () throws(DomainError) in try Champs.jour(brut) }
    }
}

/// A yes or no of a form: a JSON boolean, or a cell of an import file (`oui`, `non`, empty…).
/// Anything else is kept as received, so that `Saisie.lire` names it with the other errors.
enum OuiNon: Decodable, Sendable, Equatable {
    case valeur(Bool)
    /// What was received, and what was expected (in French).
    case invalide(String, attendu: String)

    init(from decoder: any Decoder) throws {
        let conteneur = try decoder.singleValueContainer()
        if let oui = try? conteneur.decode(Bool.self) {
            self = .valeur(oui)
        } else if let texte = try? conteneur.decode(String.self) {
            self = .invalide(String(texte.prefix(50)), attendu: "true ou false")
        } else if let nombre = try? conteneur.decode(Double.self) {
            self = .invalide(nombre.rounded() == nombre && abs(nombre) < 1e15 ? String(Int64(nombre)) : String(nombre), attendu: "true ou false")
        } else {
            self = .invalide("…", attendu: "true ou false")
        }
    }

    /// A cell of an import file: `oui`/`o`/`1`/`x`/`true`/`vrai` or `non`/`n`/`0`/`false`/`faux`,
    /// any case; an empty cell is no.
    init(cellule: String) {
        switch cellule.trimmingCharacters(in: .whitespaces).lowercased() {
        case "oui", "o", "1", "x", "true", "vrai": self = .valeur(true)
        case "", "non", "n", "0", "false", "faux": self = .valeur(false)
        default: self = .invalide(String(cellule.trimmingCharacters(in: .whitespaces).prefix(50)), attendu: "oui ou non (vide : non)")
        }
    }
}
