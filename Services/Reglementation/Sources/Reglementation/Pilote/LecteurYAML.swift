import Foundation
import Yams

/// A node of the YAML document and where it is: its path in the document and its line.
struct Noeud {
    let node: Node
    let chemin: String

    var ligne: Int? { node.mark?.line }
    /// `chemin (ligne N)`.
    var location: String {
        let nom = chemin.isEmpty ? "document" : chemin
        return ligne.map { "\(nom) (ligne \($0))" } ?? nom
    }

    func enfant(_ cle: String, _ node: Node) -> Noeud {
        Noeud(node: node, chemin: chemin.isEmpty ? cle : "\(chemin).\(cle)")
    }
}

/// Reads a YAML document node by node and collects every error with its location, instead of
/// stopping at the first one as a `Decodable` would.
struct LecteurYAML {
    private(set) var erreurs: [PiloteErreur] = []

    mutating func erreur(_ noeud: Noeud, _ code: String, _ message: String) {
        erreurs.append(PiloteErreur(location: noeud.location, code: code, message: message))
    }

    mutating func erreur(location: String, _ code: String, _ message: String) {
        erreurs.append(PiloteErreur(location: location, code: code, message: message))
    }

    /// The document's root, or nil after recording a syntax error with its line.
    mutating func racine(_ texte: String) -> Noeud? {
        do {
            guard let node = try Yams.compose(yaml: texte) else {
                erreur(location: "document", "pilote.vide", "Le fichier est vide.")
                return nil
            }
            return Noeud(node: node, chemin: "")
        } catch let error as YamlError {
            erreur(location: Self.location(error), "pilote.yaml", "Le fichier n'est pas un document YAML valide : \(Self.probleme(error)).")
        } catch {
            erreur(location: "document", "pilote.yaml", "Le fichier n'est pas un document YAML valide.")
        }
        return nil
    }

    /// The keys of a mapping node; unknown keys and missing required keys are errors.
    mutating func mapping(_ noeud: Noeud, obligatoires: [String], facultatives: [String]) -> [String: Noeud]? {
        guard case .mapping(let mapping) = noeud.node else {
            erreur(noeud, "pilote.structure", "Un ensemble de champs « clé: valeur » est attendu ici.")
            return nil
        }
        var champs: [String: Noeud] = [:]
        let connues = Set(obligatoires + facultatives)
        for (cle, valeur) in mapping {
            let nom = cle.string ?? ""
            let enfant = noeud.enfant(nom, valeur)
            guard connues.contains(nom) else {
                erreur(
                    Noeud(node: cle, chemin: enfant.chemin), "pilote.champ_inconnu",
                    "Champ « \(nom) » inconnu ; champs possibles : \(connues.sorted().joined(separator: ", ")).")
                continue
            }
            champs[nom] = enfant
        }
        for nom in obligatoires where champs[nom] == nil {
            erreur(noeud, "pilote.champ_manquant", "Le champ « \(nom) » est obligatoire.")
        }
        return champs
    }

    /// The items of a sequence node.
    mutating func liste(_ noeud: Noeud) -> [Node]? {
        guard case .sequence(let sequence) = noeud.node else {
            erreur(noeud, "pilote.structure", "Une liste (lignes commençant par « - ») est attendue ici.")
            return nil
        }
        return Array(sequence)
    }

    /// A non-empty text scalar.
    mutating func texte(_ noeud: Noeud?) -> String? {
        guard let noeud else { return nil }
        guard case .scalar(let scalar) = noeud.node else {
            erreur(noeud, "pilote.structure", "Un texte est attendu ici.")
            return nil
        }
        let valeur = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !valeur.isEmpty else {
            erreur(noeud, "pilote.texte_vide", "Ce champ ne peut pas être vide.")
            return nil
        }
        return valeur
    }

    /// An integer scalar.
    mutating func entier(_ noeud: Noeud?, code: String, nom: String) -> Int? {
        guard let noeud, let texte = texte(noeud) else { return nil }
        guard let valeur = Int(texte) else {
            erreur(noeud, code, "\(nom) doit être un nombre entier (reçu « \(texte) »).")
            return nil
        }
        return valeur
    }

    /// `true` / `false`; absent is `defaut`.
    mutating func booleen(_ noeud: Noeud?, defaut: Bool) -> Bool {
        guard let noeud, let texte = texte(noeud) else { return defaut }
        switch texte.lowercased() {
        case "true", "oui", "yes": return true
        case "false", "non", "no": return false
        default:
            erreur(noeud, "pilote.structure", "« true » ou « false » est attendu (reçu « \(texte) »).")
            return defaut
        }
    }

    /// A list of texts, written `[a, b]` or one per line.
    mutating func textes(_ noeud: Noeud?) -> [(String, Noeud)]? {
        guard let noeud, let items = liste(noeud) else { return nil }
        return items.enumerated().compactMap { index, item in
            let enfant = Noeud(node: item, chemin: "\(noeud.chemin)[\(index)]")
            return texte(enfant).map { ($0, enfant) }
        }
    }

    private static func location(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            "document (ligne \(mark.line))"
        case .duplicatedKeysInMapping(_, let context):
            "document (ligne \(context.mark.line))"
        default:
            "document"
        }
    }

    private static func probleme(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            problem
        case .duplicatedKeysInMapping(let duplicates, _):
            "clé en double (\(duplicates.joined(separator: ", ")))"
        default:
            "\(error)"
        }
    }
}
