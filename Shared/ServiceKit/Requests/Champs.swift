import Domain
import Foundation

/// Checks of the plain fields the API receives, with the French messages people read.
public enum Champs {
    /// An académie code, `A` and two digits (`A01`); lowercase accepted.
    public static func academie(_ texte: String) throws(DomainError) -> String {
        let valeur = texte.trimmingCharacters(in: .whitespaces).uppercased()
        guard valeur.wholeMatch(of: /A[0-9]{2}/) != nil else {
            throw DomainError(
                code: "academie.format",
                message: "Code académie « \(texte) » invalide : attendu A suivi de deux chiffres (ex. A01).")
        }
        return valeur
    }

    /// A non-empty label of at most `maximum` characters, trimmed.
    public static func libelle(_ texte: String, maximum: Int = 200, code: String = "libelle.longueur", nom: String = "Le libellé") throws(DomainError) -> String {
        let valeur = texte.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maximum).contains(valeur.count) else {
            throw DomainError(code: code, message: "\(nom) est obligatoire (\(maximum) caractères au plus).")
        }
        return valeur
    }

    /// A calendar day `YYYY-MM-DD` that exists.
    public static func jour(_ texte: String) throws(DomainError) -> String {
        let valeur = texte.trimmingCharacters(in: .whitespaces)
        guard let match = valeur.wholeMatch(of: /([0-9]{4})-([0-9]{2})-([0-9]{2})/),
              let annee = Int(match.1), let mois = Int(match.2), let jour = Int(match.3),
              Self.existe(annee: annee, mois: mois, jour: jour)
        else {
            throw DomainError(code: "date.format", message: "Date « \(texte) » invalide : attendu AAAA-MM-JJ (ex. 2027-06-08).")
        }
        return valeur
    }

    /// A local date and time `YYYY-MM-DDTHH:MM` that exists.
    public static func horodatage(_ texte: String) throws(DomainError) -> String {
        let valeur = texte.trimmingCharacters(in: .whitespaces)
        guard let match = valeur.wholeMatch(of: /([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})/),
              let annee = Int(match.1), let mois = Int(match.2), let jour = Int(match.3),
              let heure = Int(match.4), let minute = Int(match.5),
              Self.existe(annee: annee, mois: mois, jour: jour), heure < 24, minute < 60
        else {
            throw DomainError(
                code: "date.format", message: "Date et heure « \(texte) » invalides : attendu AAAA-MM-JJTHH:MM (ex. 2027-06-08T09:00).")
        }
        return "\(match.1)-\(match.2)-\(match.3)T\(match.4):\(match.5)"
    }

    /// A code of letters, digits, `_`, `-` or `.`, 1…40 characters, uppercased.
    public static func code(_ texte: String, nom: String, code: String) throws(DomainError) -> String {
        let valeur = texte.trimmingCharacters(in: .whitespaces).uppercased()
        guard valeur.wholeMatch(of: /[A-Z0-9][A-Z0-9_.\-]{0,39}/) != nil else {
            throw DomainError(
                code: code,
                message: "\(nom) « \(texte) » invalide : 1 à 40 lettres, chiffres, « _ », « - » ou « . », sans espace ni accent.")
        }
        return valeur
    }

    public static func existe(annee: Int, mois: Int, jour: Int) -> Bool {
        guard (1...12).contains(mois), jour >= 1 else { return false }
        let jours = [31, annee % 4 == 0 && (annee % 100 != 0 || annee % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return jour <= jours[mois - 1]
    }
}
