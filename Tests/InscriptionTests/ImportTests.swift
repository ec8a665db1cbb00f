import Contracts
import Foundation
@testable import Inscription
import ServiceKit
import Testing
import TestSupport

@Suite("Inscription: CSV import of an établissement's students")
struct ImportTests {
    struct Rapport: Decodable {
        struct Erreur: Decodable { var ligne: Int; var champ: String; var code: String; var message: String }
        var essai: Bool
        var lignes: Int
        var valides: Int
        var erreurs: [Erreur]
        var inscrites: Int
        var dejaInscrites: Int
        var validees: Int
    }

    static let entete = "ine;nom_famille;nom_usage;prenoms;sexe;date_naissance;commune_naissance;pays_naissance;adresse;code_postal;commune;courriel;telephone;categorie;specialite;options;facultative;forme"

    /// A good line for student `i` (unique INE and name).
    static func ligne(_ i: Int, ine: String? = nil) -> [String] {
        [ine ?? String(format: "%09d", 100_000_000 + i) + "AB", "Élève\(i)", "", "Camille", i % 2 == 0 ? "F" : "M", "14/03/2005", "Paris",
         "France", "\(i) rue de la Paix", "75002", "Paris", "eleve\(i)@exemple.fr", "", "apprenti", "COIFFURE", "U30A", "", "globale"]
    }

    /// 5,000 students, 20 of them wrong in 20 different ways, at known line numbers.
    static func fichier(prefixeINE: Int) -> (csv: String, mauvaises: Set<Int>) {
        var lignes: [[String]] = (1...5000).map { ligne($0, ine: String(format: "%02d%07d", prefixeINE, $0) + "AB") }
        let defauts: [(Int, (inout [String]) -> Void)] = [
            (17, { $0[5] = "31/02/2005" }),                       // date that does not exist
            (230, { $0[4] = "X" }),                               // sexe
            (480, { $0[14] = "BOULANGER" }),                      // spécialité not offered
            (731, { $0[17] = "progressive" }),                    // apprentice in forme progressive
            (999, { $0[1] = "" }),                                // no family name
            (1200, { $0[0] = "12345" }),                          // INE of no known shape
            (1501, { $0[16] = "UF1,UF2" }),                       // two facultative units
            (1777, { $0[15] = "U99" }),                           // unknown option
            (2000, { $0[0] = String(format: "%02d%07d", prefixeINE, 10) + "AB" }),  // same INE as line 11
            (2222, { $0[13] = "individuel" }),                    // Grand Public through an établissement
            (2500, { $0[9] = "750" }),                            // code postal
            (2750, { $0[11] = "pas-un-courriel" }),               // courriel
            (3000, { $0[13] = "salarie" }),                       // unknown category
            (3210, { $0[17] = "mixte" }),                         // unknown form
            (3333, { $0[15] = "" }),                              // option group without a choice
            (3600, { $0[5] = "14/03/1890" }),                     // improbable birth date
            (3901, { $0[3] = "" }),                               // no first name
            (4100, { $0[12] = "12" }),                            // telephone
            (4444, { $0.removeLast() }),                          // a column missing
            (4999, { $0[1] = "Élève100"; $0[4] = "M" }),          // same name, first name and birth date as line 101
        ]
        var mauvaises: Set<Int> = []
        for (index, defaut) in defauts {
            defaut(&lignes[index - 1])
            mauvaises.insert(index + 1)  // line 1 is the header
        }
        return (([entete] + lignes.map { $0.joined(separator: ";") }).joined(separator: "\r\n") + "\r\n", mauvaises)
    }

    @Test("5,000 students with 20 bad lines: the dry run names exactly those lines; the real run registers 4,980, a replay changes nothing")
    func cinqMilleLignes() async throws {
        try await Banc.avecService { banc in
            let prefixe = Int.random(in: 10...99)
            let (csv, mauvaises) = Self.fichier(prefixeINE: prefixe)
            let chemin = "/v1/sessions/\(banc.session)/etablissements/\(banc.cfa)/import"
            let essai = try await banc.etab(.post, "\(chemin)?essai=true", banc.cfa, corps: Array(csv.utf8))
            #expect(essai.status == .ok, "\(essai.texte.prefix(500))")
            let rapport = try essai.json(Rapport.self)
            #expect(rapport.essai && rapport.lignes == 5000 && rapport.valides == 4980)
            #expect(Set(rapport.erreurs.map(\.ligne)) == mauvaises)
            #expect(rapport.erreurs.allSatisfy { !$0.message.isEmpty })
            #expect(rapport.erreurs.first { $0.ligne == 2001 }?.message == "Même INE \(String(format: "%02d%07d", prefixe, 10))AB qu'à la ligne 11.")
            #expect(rapport.erreurs.first { $0.ligne == 18 }?.champ == "date_naissance")
            #expect(rapport.erreurs.first { $0.ligne == 481 }?.code == "candidature.specialite_non_offerte")
            #expect(rapport.erreurs.first { $0.ligne == 732 }?.code == "candidature.forme_apprenti")
            #expect(rapport.erreurs.first { $0.ligne == 5000 }?.code == "import.doublon")
            #expect(try await banc.database.count("candidatures", where: "session = '\(banc.session)'") == 0, "a dry run writes nothing")

            let reel = try await banc.etab(.post, "\(chemin)?essai=false&valider=true", banc.cfa, corps: Array(csv.utf8)).json(Rapport.self)
            #expect(!reel.essai && reel.inscrites == 4980 && reel.validees == 4980 && reel.dejaInscrites == 0)
            #expect(Set(reel.erreurs.map(\.ligne)) == mauvaises)
            #expect(try await banc.database.count("candidatures", where: "session = '\(banc.session)' AND etat = 'validee'") == 4980)
            #expect(try await banc.database.count("confirmations", where: "candidature IN (SELECT id FROM inscription.candidatures WHERE session = '\(banc.session)')") == 4980)
            #expect(try await banc.database.count("outbox", where: "type = 'inscription.candidature.validee' AND aggregate IN (SELECT upper(id::text) FROM inscription.candidatures WHERE session = '\(banc.session)')") == 4980)

            let rejeu = try await banc.etab(.post, "\(chemin)?essai=false&valider=true", banc.cfa, corps: Array(csv.utf8)).json(Rapport.self)
            #expect(rejeu.inscrites == 0 && rejeu.dejaInscrites == 4980)
            #expect(try await banc.database.count("candidatures", where: "session = '\(banc.session)'") == 4980)
            #expect(try await banc.database.count("outbox", where: "type = 'inscription.candidature.validee' AND aggregate IN (SELECT upper(id::text) FROM inscription.candidatures WHERE session = '\(banc.session)')") == 4980)

            // The same students from another établissement: refused line by line (one BP per session).
            let ailleurs = try await banc.etab(.post, "/v1/sessions/\(banc.session)/etablissements/\(banc.prive)/import?essai=true", banc.prive,
                                               corps: Array(csv.utf8)).json(Rapport.self)
            #expect(ailleurs.valides == 0)
            #expect(ailleurs.erreurs.filter { $0.code == "candidature.specialite_unique" }.count == 4980)
        }
    }

    @Test("the header, the encoding and the authorization of an import")
    func enteteEtEncodage() async throws {
        try await Banc.avecService { banc in
            let chemin = "/v1/sessions/\(banc.session)/etablissements/\(banc.cfa)/import"
            let mauvaisEntete = try await banc.etab(.post, chemin, banc.cfa, corps: Array("nom;prenom\nDupont;Jean\n".utf8))
            #expect(try mauvaisEntete.probleme.code == "import.entete")
            #expect(try Set(mauvaisEntete.probleme.details?.map(\.message) ?? []).contains("Colonne « prenom » inconnue."))
            // ISO-8859-15 with a comma separator and quoted cells.
            let latin = Self.entete.replacingOccurrences(of: ";", with: ",") + "\n" +
                #""","Lefèvre","","Zoé Œnone","F","2004-01-02","Nîmes","France","1, place de l'Église","30000","Nîmes","","","apprenti","COIFFURE","U30B","","globale""# + "\n"
            let octets = Array(latin.unicodeScalars.map { scalar -> UInt8 in scalar == "Œ" ? 0xBC : UInt8(scalar.value) })
            let rapport = try await banc.etab(.post, "\(chemin)?essai=false", banc.cfa, corps: octets).json(Rapport.self)
            #expect(rapport.inscrites == 1, "\(rapport.erreurs)")
            let liste = try await banc.etab(.get, "/v1/sessions/\(banc.session)/candidatures?q=Lef", banc.cfa).json(PageCandidatures.self)
            #expect(liste.items.first?.candidat.prenoms == "Zoé Œnone" && liste.items.first?.candidat.adresse == "1, place de l'Église")
            #expect(liste.items.first?.etat == .brouillon)
            #expect(try await banc.etab(.post, chemin, banc.prive, corps: Array(latin.utf8)).status == .forbidden)
        }
    }
}
