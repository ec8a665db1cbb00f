import Foundation
import ServiceKit

/// The candidature form (identity, catégorie and établissement, spécialité with its options and
/// facultative unit, forme), shared by the établissement's entry, the candidate's wizard and
/// the change of a candidature. Its values are kept under canonical names (`options` and
/// `facultatives` as codes separated by commas, `consentementPublication` as `oui` or `non`) so
/// that a wizard can carry them in hidden fields.
struct FormulaireCandidature: Sendable {
    static let identite = [
        "ine", "nomFamille", "nomUsage", "prenoms", "sexe", "dateNaissance", "communeNaissance", "paysNaissance",
        "adresse", "codePostal", "commune", "courriel", "telephone",
    ]
    static let choix = ["categorie", "uai", "specialite", "options", "facultatives", "forme", "consentementPublication"]

    var valeurs: [String: String]
    var formulaire: Formulaire

    init(valeurs: [String: String] = [:]) {
        self.valeurs = valeurs
        formulaire = Self.champs(valeurs)
    }

    /// The values of a posted form: the identity and choices it carries, options and the
    /// facultative unit read from the radio groups of the chosen spécialité when present.
    init(form: WebForm) {
        var valeurs: [String: String] = [:]
        for nom in Self.identite + ["categorie", "uai", "specialite", "forme", "options", "facultatives"] where form.values[nom] != nil {
            valeurs[nom] = form[nom]
        }
        let specialite = form["specialite"]
        let groupes = form.values.keys.filter { $0.hasPrefix("option.\(specialite).") }
        if !specialite.isEmpty && (!groupes.isEmpty || form.values["options-presentes"] != nil) {
            valeurs["options"] = groupes.sorted().map { form[$0] }.filter { !$0.isEmpty }.joined(separator: ",")
        }
        if !specialite.isEmpty, form.values["facultative.\(specialite)"] != nil || form.values["options-presentes"] != nil {
            valeurs["facultatives"] = form["facultative.\(specialite)"]
        }
        // The checkbox sends nothing when unticked: the hidden `consentement-present` says it was
        // shown; without it, the value a wizard carried in a hidden field (if any) is kept.
        if form.values["consentement-present"] != nil {
            valeurs["consentementPublication"] = form["consentementPublication"] == "oui" ? "oui" : "non"
        } else if let porte = form.values["consentementPublication"] {
            valeurs["consentementPublication"] = porte == "oui" ? "oui" : "non"
        }
        self.init(valeurs: valeurs)
    }

    /// A candidature's values, to change it.
    init(candidature c: InscriptionAPI.Candidature) {
        let d = c.candidat
        self.init(valeurs: [
            "ine": d.ine ?? "", "nomFamille": d.nomFamille, "nomUsage": d.nomUsage ?? "", "prenoms": d.prenoms, "sexe": d.sexe,
            "dateNaissance": d.dateNaissance, "communeNaissance": d.communeNaissance, "paysNaissance": d.paysNaissance ?? "",
            "adresse": d.adresse, "codePostal": d.codePostal, "commune": d.commune, "courriel": d.courriel ?? "",
            "telephone": d.telephone ?? "", "categorie": c.categorie, "uai": c.uai ?? "", "specialite": c.specialite,
            "options": c.options.joined(separator: ","), "facultatives": c.facultatives.joined(separator: ","), "forme": c.forme,
            "consentementPublication": c.consentementPublication == true ? "oui" : "non",
        ])
    }

    subscript(_ nom: String) -> String { valeurs[nom] ?? "" }

    /// Sets a value and the field that shows it.
    mutating func definir(_ nom: String, _ valeur: String) {
        valeurs[nom] = valeur
        formulaire.champs[nom]?.valeur = valeur
    }

    static func champs(_ v: [String: String]) -> Formulaire {
        func valeur(_ nom: String) -> String { v[nom] ?? "" }
        return Formulaire([
            Champ("nomFamille", "Nom de famille", valeur: valeur("nomFamille"), autocomplete: "family-name"),
            Champ("nomUsage", "Nom d'usage", valeur: valeur("nomUsage"), aide: "S'il diffère du nom de famille.", requis: false),
            Champ("prenoms", "Prénoms", valeur: valeur("prenoms"), aide: "Tous, dans l'ordre de l'état civil, séparés par des espaces.",
                  autocomplete: "given-name"),
            Champ("sexe", "Sexe", valeur: valeur("sexe")),
            Champ("dateNaissance", "Date de naissance", type: "date", valeur: valeur("dateNaissance"),
                  aide: "Au format JJ/MM/AAAA si votre navigateur ne propose pas de calendrier.", autocomplete: "bday"),
            Champ("communeNaissance", "Commune de naissance", valeur: valeur("communeNaissance")),
            Champ("paysNaissance", "Pays de naissance", valeur: valeur("paysNaissance"), aide: "France si vous le laissez vide.",
                  autocomplete: "country-name", requis: false),
            Champ("ine", "INE (identifiant national élève)", valeur: valeur("ine"),
                  aide: "11 caractères, s'il est connu (par exemple 123456789AB).", autocomplete: "off", requis: false),
            Champ("adresse", "Adresse", valeur: valeur("adresse"), autocomplete: "street-address"),
            Champ("codePostal", "Code postal", valeur: valeur("codePostal"), aide: "5 chiffres.", autocomplete: "postal-code"),
            Champ("commune", "Commune", valeur: valeur("commune"), autocomplete: "address-level2"),
            Champ("courriel", "Courriel", type: "email", valeur: valeur("courriel"), autocomplete: "email", requis: false),
            Champ("telephone", "Téléphone", type: "tel", valeur: valeur("telephone"), aide: "10 chiffres, par exemple 06 12 34 56 78.",
                  autocomplete: "tel", requis: false),
            Champ("categorie", "Catégorie", valeur: valeur("categorie")),
            Champ("uai", "Établissement d'inscription", valeur: valeur("uai")),
            Champ("specialite", "Spécialité", valeur: valeur("specialite")),
            Champ("options", "Options", valeur: valeur("options"), requis: false),
            Champ("facultatives", "Unité facultative", valeur: valeur("facultatives"), requis: false),
            Champ("forme", "Forme de passage", valeur: valeur("forme"),
                  aide: "Globale : toutes les unités à cette session. Progressive : réparties sur plusieurs sessions (pas pour les apprentis). Ce choix est définitif une fois la candidature validée."),
            Champ("consentementPublication", Self.consentementCandidat, valeur: valeur("consentementPublication"),
                  aide: "Facultatif. Sans cet accord, le nom n'apparaît sur aucune publication des résultats. Ce choix se modifie avec la candidature.",
                  requis: false),
        ])
    }

    /// The consent's label, in the candidate's words (his own form) or in a third person's (an
    /// établissement or the gestionnaire records it for him).
    static let consentementCandidat = "J'accepte que mon nom soit publié avec mon résultat (site public des résultats, organismes habilités)."
    static let consentementTiers = "Le candidat accepte que son nom soit publié avec son résultat (site public des résultats, organismes habilités)."

    /// The form's field for a service error's location (`candidat.nomFamille` → `nomFamille`).
    static func champ(_ location: String) -> String? {
        if location == "candidat" { return "nomFamille" }
        if location.hasPrefix("candidat.") { return String(location.dropFirst("candidat.".count)) }
        if location.hasPrefix("options") { return "options" }
        if location.hasPrefix("facultatives") { return "facultatives" }
        return location
    }

    /// Spreads a refusal of the service over the fields.
    mutating func appliquer(_ error: ServiceError) {
        formulaire.apply(error, fieldOf: Self.champ)
    }

    /// The checks a step of the wizard can make before the service sees the whole form: the
    /// identity's required fields and shapes. The service checks everything again.
    mutating func verifierIdentite() {
        for (nom, libelle) in [("nomFamille", "le nom de famille"), ("prenoms", "les prénoms"), ("dateNaissance", "la date de naissance"),
                               ("communeNaissance", "la commune de naissance"), ("adresse", "l'adresse"), ("codePostal", "le code postal"),
                               ("commune", "la commune")] where self[nom].isEmpty {
            formulaire.erreur(nom, "Saisissez \(libelle).")
        }
        if !["M", "F"].contains(self["sexe"]) { formulaire.erreur("sexe", "Choisissez le sexe.") }
        if !self["codePostal"].isEmpty && self["codePostal"].wholeMatch(of: /[0-9]{5}/) == nil {
            formulaire.erreur("codePostal", "Le code postal compte 5 chiffres.")
        }
        if !self["dateNaissance"].isEmpty
            && self["dateNaissance"].wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}\/[0-9]{2}\/[0-9]{4}/) == nil
        {
            formulaire.erreur("dateNaissance", "Saisissez la date de naissance au format JJ/MM/AAAA.")
        }
        if !self["courriel"].isEmpty && self["courriel"].wholeMatch(of: /[^@\s]+@[^@\s]+\.[^@\s]+/) == nil {
            formulaire.erreur("courriel", "Courriel invalide (par exemple prenom.nom@exemple.fr).")
        }
    }

    mutating func verifierChoix(categorie: Bool) {
        if categorie && self["categorie"].isEmpty { formulaire.erreur("categorie", "Choisissez la catégorie du candidat.") }
        if categorie && self["uai"].isEmpty { formulaire.erreur("uai", "Choisissez l'établissement d'inscription.") }
        if self["specialite"].isEmpty { formulaire.erreur("specialite", "Choisissez la spécialité.") }
        if self["forme"].isEmpty { formulaire.erreur("forme", "Choisissez la forme de passage.") }
    }

    /// The body of the service's create and change.
    func saisie(categorie forcee: String? = nil) -> InscriptionAPI.Saisie {
        func optionnel(_ nom: String) -> String? { self[nom].isEmpty ? nil : self[nom] }
        func codes(_ nom: String) -> [String] { self[nom].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let categorie = forcee ?? self["categorie"]
        return InscriptionAPI.Saisie(
            candidat: .init(
                ine: optionnel("ine")?.uppercased(), nomFamille: self["nomFamille"], nomUsage: optionnel("nomUsage"), prenoms: self["prenoms"],
                sexe: self["sexe"], dateNaissance: self["dateNaissance"], communeNaissance: self["communeNaissance"],
                paysNaissance: optionnel("paysNaissance"), adresse: self["adresse"], codePostal: self["codePostal"], commune: self["commune"],
                courriel: optionnel("courriel"), telephone: optionnel("telephone")),
            categorie: categorie, uai: categorie == "individuel" ? nil : optionnel("uai"), specialite: self["specialite"],
            options: codes("options"), facultatives: codes("facultatives"), forme: self["forme"],
            consentementPublication: valeurs["consentementPublication"].map { $0 == "oui" })
    }

    /// Hidden fields carrying `noms` to the next step of a wizard.
    func caches(_ noms: [String]) -> [Cache] {
        noms.compactMap { nom in valeurs[nom].map { Cache(nom: nom, valeur: $0) } }
    }

    // MARK: What the template gets

    struct Cache: Sendable {
        var nom: String
        var valeur: String
    }

    struct Choix: Sendable {
        var id: String
        var valeur: String
        var libelle: String
        var choisi: Bool
    }

    /// A radio group: one option group of a spécialité, or its facultative units.
    struct Groupe: Sendable {
        var id: String
        var legende: String
        var nom: String
        var choix: [Choix]
    }

    struct Vue {
        var formulaire: Formulaire.Vue
        var action: String
        var bouton: String
        var identite: Bool
        var choix: Bool
        /// The établissement chooses the catégorie and the UAI; a candidate is `individuel`.
        var etablissement: Bool
        var sexes: [Choix]
        var categories: [Choix]
        var uais: [Choix]
        var specialites: [Choix]
        var formes: [Choix]
        var groupesOptions: [Groupe]
        var groupesFacultatives: [Groupe]
        var aDesOptions: Bool
        var aDesFacultatives: Bool
        /// The consent's checkbox is ticked.
        var consentementCoche: Bool
        var caches: [Cache]
        var retour: String?
        var retourLibelle: String?
        /// A wizard's "previous step" button (a submit, so that what was typed is kept).
        var precedent: String?
    }

    /// The view of the form; `offre` gives the spécialités, `uais` the établissements to choose
    /// from (nil: no établissement section).
    func vue(
        action: String, bouton: String, identite: Bool = true, choix: Bool = true, offre: InscriptionAPI.Offre?,
        uais: [(String, String)]? = nil, categories: [String] = ["apprenti", "fpc", "enseignement_distance"],
        caches: [Cache] = [], retour: String? = nil, retourLibelle: String? = nil, precedent: String? = nil
    ) -> Vue {
        func choixDe(_ nom: String, _ liste: [(String, String)]) -> [Choix] {
            liste.map { Choix(id: "champ-\(nom)-\($0.0)", valeur: $0.0, libelle: $0.1, choisi: self[nom] == $0.0) }
        }
        let specialite = self["specialite"]
        let options = Set(self["options"].split(separator: ",").map(String.init))
        let facultative = self["facultatives"].split(separator: ",").first.map(String.init) ?? ""
        var groupesOptions: [Groupe] = []
        var groupesFacultatives: [Groupe] = []
        // The chosen spécialité's groups first.
        let specialites = (offre?.specialites ?? []).sorted { ($0.code == specialite ? 0 : 1, $0.libelle) < ($1.code == specialite ? 0 : 1, $1.libelle) }
        for s in specialites {
            var epreuves: [String] = []
            for option in s.options where !epreuves.contains(option.epreuve) { epreuves.append(option.epreuve) }
            for epreuve in epreuves {
                let nom = "option.\(s.code).\(epreuve)"
                groupesOptions.append(Groupe(
                    id: "groupe-\(s.code)-\(epreuve)", legende: "BP \(s.libelle), épreuve \(epreuve) : une option au choix", nom: nom,
                    choix: s.options.filter { $0.epreuve == epreuve }.map {
                        Choix(id: "champ-\(s.code)-\($0.code)", valeur: $0.code, libelle: "\($0.code) — \($0.libelle)",
                              choisi: s.code == specialite && options.contains($0.code))
                    }))
            }
            if !s.facultatives.isEmpty {
                let nom = "facultative.\(s.code)"
                groupesFacultatives.append(Groupe(
                    id: "groupe-facultative-\(s.code)", legende: "BP \(s.libelle) : unité facultative (une au plus)", nom: nom,
                    choix: [Choix(id: "champ-\(s.code)-aucune", valeur: "", libelle: "Aucune", choisi: s.code != specialite || facultative.isEmpty)]
                        + s.facultatives.map {
                            Choix(id: "champ-\(s.code)-\($0.code)", valeur: $0.code, libelle: "\($0.code) — \($0.libelle)",
                                  choisi: s.code == specialite && facultative == $0.code)
                        }))
            }
        }
        var formulaire = self.formulaire
        if uais != nil { formulaire.champs["consentementPublication"]?.libelle = Self.consentementTiers }
        return Vue(
            formulaire: formulaire.vue, action: action, bouton: bouton, identite: identite, choix: choix,
            etablissement: uais != nil,
            sexes: choixDe("sexe", [("F", "Féminin"), ("M", "Masculin")]),
            categories: choixDe("categorie", InscriptionVue.categories.filter { categories.contains($0.0) }),
            uais: choixDe("uai", uais ?? []),
            specialites: choixDe("specialite", (offre?.specialites ?? []).map { ($0.code, "\($0.libelle) (\($0.code))") }),
            formes: choixDe("forme", [("globale", "Forme globale"), ("progressive", "Forme progressive")]),
            groupesOptions: groupesOptions, groupesFacultatives: groupesFacultatives,
            aDesOptions: !groupesOptions.isEmpty, aDesFacultatives: !groupesFacultatives.isEmpty,
            consentementCoche: self["consentementPublication"] == "oui",
            caches: caches, retour: retour, retourLibelle: retourLibelle, precedent: precedent)
    }
}
