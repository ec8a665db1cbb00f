import Foundation
import TestSupport

/// Pilot files for the tests: the shipped one, the broken one (every kind of error, the exact
/// list below), and small valid ones made on the fly.
enum Pilotes {
    static var livre: URL {
        TestStack.repositoryDirectory.appendingPathComponent("Services/Reglementation/Pilote/pilote-national.yaml")
    }

    static var casse: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fichiers/pilote-casse.yaml")
    }

    static func octets(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    /// What `Fichiers/pilote-casse.yaml` must be refused for, in order: (location, code).
    static let erreursDuFichierCasse: [(String, String)] = [
        ("format (ligne 1)", "pilote.format"),
        ("specialites[CASSE].couleur (ligne 6)", "pilote.champ_inconnu"),
        ("specialites[CASSE].version (ligne 5)", "pilote.version"),
        ("specialites[CASSE].epreuves[E1].coefficient (ligne 10)", "pilote.coefficient_somme"),
        ("specialites[CASSE].epreuves[E2].unites[U3].coefficient (ligne 19)", "pilote.coefficient"),
        ("specialites[CASSE].epreuves[E2].unites[U3].formes[1] (ligne 20)", "pilote.forme"),
        ("specialites[CASSE].epreuves[E2].unites[U3].duree (ligne 21)", "pilote.duree"),
        ("specialites[CASSE].epreuves[E2].unites[U3].pas (ligne 22)", "pilote.pas"),
        ("specialites[CASSE].epreuves[E2].unites[U3].ccf[0] (ligne 23)", "pilote.ccf_non_habilite"),
        ("specialites[CASSE].epreuves[E2].unites[U3].ccf[1] (ligne 23)", "pilote.categorie"),
        ("specialites[CASSE].epreuves[E3].unites (ligne 26)", "pilote.epreuve_vide"),
        ("specialites[CASSE].epreuves[E4].unites[U1] (ligne 30)", "pilote.unite_multiple"),
        ("specialites[CASSE].epreuves[E4].unites[U5] (ligne 31)", "pilote.coefficient_manquant"),
        ("specialites[CASSE].epreuves[E5] (ligne 32)", "pilote.option_coefficients"),
        ("specialites[CASSE].epreuves[E6] (ligne 38)", "pilote.option"),
        ("specialites[CASSE].epreuves[E1] (ligne 44)", "pilote.doublon_epreuve"),
        ("specialites[CASSE].epreuves[F1].unites[UF1].coefficient (ligne 49)", "pilote.coefficient_facultative"),
        ("specialites[CASSE].epreuves[F2] (ligne 50)", "pilote.facultative_unites"),
        ("specialites[CASSE].epreuves[E8].unites[U10].dates[0].debut (ligne 62)", "pilote.date_session"),
        ("specialites[CASSE].epreuves[E8].unites[U10].dates[1].session (ligne 63)", "pilote.date_session"),
        ("specialites[CASSE].epreuves[E8].unites[U10].dates[1].debut (ligne 63)", "pilote.date"),
        ("specialites[CASSE].epreuves[E8].unites[U10].dates[1].sujet (ligne 63)", "pilote.sujet_doublon"),
        ("specialites[CASSE].epreuves[E8].unites[U10].dates[2] (ligne 64)", "pilote.date_doublon"),
        ("specialites[CASSE].epreuves (ligne 8)", "pilote.epreuves_obligatoires"),
        ("specialites[CASSE].epreuves (ligne 8)", "pilote.facultatives"),
        ("specialites[casse minuscule].code (ligne 65)", "pilote.code"),
        ("specialites[CASSE] (ligne 70)", "pilote.doublon_specialite"),
        ("specialites[SANS_EPREUVES] (ligne 74)", "pilote.champ_manquant"),
        ("specialites[SANS_EPREUVES].libelle (ligne 75)", "pilote.structure"),
    ]

    /// A small valid pilot of the spécialités `codes`, each in `version`; `variante` changes the content.
    static func simple(_ codes: String..., version: Int, variante: Int = 0) -> String {
        "specialites:\n" + codes.map { specialite($0, version: version, variante: variante) }.joined()
    }

    static func specialite(_ code: String, version: Int, variante: Int) -> String {
        """
          - code: \(code)
            libelle: Spécialité de test \(code)
            version: \(version)
            epreuves:
              - code: E1
                libelle: Pratique
                unites:
                  - {code: U10, libelle: Pratique, coefficient: \(4 + variante), formes: [pratique], duree: 4h}
              - code: E2
                libelle: Option
                au_choix: true
                unites:
                  - {code: U2A, libelle: Option A, coefficient: 2, formes: [orale], duree: 30min}
                  - {code: U2B, libelle: Option B, coefficient: 2, formes: [orale], duree: 30min}
              - code: E3
                libelle: Écrit
                unites:
                  - {code: U30, libelle: Écrit, coefficient: 3, formes: [ecrite], duree: 2h, ccf: [fpc_public_habilite]}

        """
    }

    static func codeAleatoire() -> String { "T\(UInt32.random(in: 0...UInt32.max))" }
}
