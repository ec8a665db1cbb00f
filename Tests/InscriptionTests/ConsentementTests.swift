import Contracts
import Foundation
@testable import Inscription
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport

/// The candidate's consent to the publication of his name with his result: given at
/// registration (form or import), kept on the candidature, in its events and its confirmation.
@Suite("Inscription: consent to the publication of the name")
struct ConsentementTests {
    @Test("stored and read back; in the validee event; a change of it alone is a modifiee with a higher revision; absent on a change = unchanged")
    func stockeEtPublie() async throws {
        try await Banc.avecService { banc in
            let identite = Saisies.identite(nom: "Garnier")
            func saisie(_ extra: String = "") -> String { Saisies.candidature(uai: banc.cfa, identite: identite, extra: extra) }

            // Absent on creation: no consent.
            let sans = try await banc.creer(Saisies.candidature(uai: banc.cfa, identite: Saisies.identite(nom: "Sanchez")))
            #expect(!sans.consentementPublication)
            #expect(try await banc.appel(.get, "/v1/candidatures/\(sans.id.uuidString)").json(Candidature.self).consentementPublication == false)

            let creee = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.cfa,
                                            json: saisie(#","consentementPublication":true"#))
            #expect(creee.status == .created, "\(creee.texte)")
            let brouillon = try creee.json(Candidature.self)
            #expect(brouillon.consentementPublication)
            #expect(try await banc.etab(.get, "/v1/candidatures/\(brouillon.id.uuidString)", banc.cfa).json(Candidature.self).consentementPublication)
            #expect(try await banc.database.count("candidatures", where: "id = '\(brouillon.id.uuidString)' AND consentement_publication") == 1)

            let validee = try await banc.valider(brouillon.id).json(Candidature.self)
            let validees = try await banc.evenements(CandidatureValidee.self, aggregate: brouillon.id)
            #expect(validees.count == 1)
            #expect(validees.first?.consentementPublication == true && validees.first?.revision == validee.revision)

            // The same form without the field: unchanged, no new revision, no event.
            let inchange = try await banc.etab(.put, "/v1/candidatures/\(brouillon.id.uuidString)", banc.cfa, json: saisie()).json(Candidature.self)
            #expect(inchange.consentementPublication && inchange.revision == validee.revision && inchange.etat == .validee)
            #expect(try await banc.evenements(CandidatureModifiee.self, aggregate: brouillon.id).isEmpty)

            // Withdrawn: a modification like any other.
            let retire = try await banc.etab(.put, "/v1/candidatures/\(brouillon.id.uuidString)", banc.cfa,
                                             json: saisie(#","consentementPublication":false"#)).json(Candidature.self)
            #expect(!retire.consentementPublication && retire.etat == .modifiee && retire.revision > validee.revision)
            var modifiees = try await banc.evenements(CandidatureModifiee.self, aggregate: brouillon.id)
            #expect(modifiees.map(\.revision) == [retire.revision])
            #expect(modifiees.first?.consentementPublication == false)

            // Given again: one more modifiee, revision higher still.
            let redonne = try await banc.etab(.put, "/v1/candidatures/\(brouillon.id.uuidString)", banc.cfa,
                                              json: saisie(#","consentementPublication":true"#)).json(Candidature.self)
            #expect(redonne.consentementPublication && redonne.revision > retire.revision)
            modifiees = try await banc.evenements(CandidatureModifiee.self, aggregate: brouillon.id)
            #expect(modifiees.map(\.revision) == [retire.revision, redonne.revision])
            #expect(modifiees.map(\.consentementPublication) == [false, true])

            struct Historique: Decodable {
                struct Evenement: Decodable { var action: String; var detail: [String: CandidatureRepository.Ecart] }
                var items: [Evenement]
            }
            let historique = try await banc.appel(.get, "/v1/candidatures/\(brouillon.id.uuidString)/historique").json(Historique.self)
            #expect(historique.items.map(\.action) == ["creation", "validation", "modification", "modification"])
            #expect(historique.items[2].detail == ["consentementPublication": .init(avant: "oui", apres: "non")])
            struct Versions: Decodable { struct V: Decodable { var version: Int }; var items: [V] }
            #expect(try await banc.appel(.get, "/v1/candidatures/\(brouillon.id.uuidString)/confirmations").json(Versions.self)
                .items.map(\.version) == [3, 2, 1], "each change of consent gives a new confirmation")
        }
    }

    @Test("a value that is not a boolean is refused in French, field named, and nothing changes")
    func valeurInvalide() async throws {
        try await Banc.avecService { banc in
            let identite = Saisies.identite(nom: "Perrin")
            func saisie(_ extra: String) -> String { Saisies.candidature(uai: banc.cfa, identite: identite, extra: extra) }
            let avant = try await banc.appel(.get, "/v1/sessions/\(banc.session)/candidatures").json(PageCandidatures.self).total

            let refus = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.cfa, json: saisie(#","consentementPublication":"oui""#))
            #expect(refus.status == .unprocessableContent)
            let probleme = try refus.probleme
            #expect(probleme.code == "candidature.consentement")
            #expect(probleme.message == "Consentement à la publication du nom « oui » invalide : true ou false.")
            #expect(probleme.details?.map(\.location) == ["consentementPublication"])
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/candidatures").json(PageCandidatures.self).total == avant)

            // With another error: both named at once.
            let deux = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.cfa,
                                           json: Saisies.candidature(uai: banc.cfa, forme: "mixte", identite: identite, extra: #","consentementPublication":1"#))
            #expect(try Set(deux.probleme.details?.map(\.location) ?? []) == ["forme", "consentementPublication"])
            #expect(try deux.probleme.details?.first { $0.location == "consentementPublication" }?.message
                == "Consentement à la publication du nom « 1 » invalide : true ou false.")

            // On a validated candidature: refused, nothing changed (revision, consent, events, confirmations).
            let c = try await banc.creer(saisie(#","consentementPublication":true"#))
            let validee = try await banc.valider(c.id).json(Candidature.self)
            for mauvaise in [#""non""#, "0", "[]", "{}"] {
                let reponse = try await banc.etab(.put, "/v1/candidatures/\(c.id.uuidString)", banc.cfa, json: saisie(#","consentementPublication":\#(mauvaise)"#))
                #expect(reponse.status == .unprocessableContent, "\(mauvaise): \(reponse.texte)")
                #expect(try reponse.probleme.code == "candidature.consentement")
            }
            let relue = try await banc.appel(.get, "/v1/candidatures/\(c.id.uuidString)").json(Candidature.self)
            #expect(relue.consentementPublication && relue.revision == validee.revision && relue.etat == .validee)
            #expect(try await banc.evenements(CandidatureModifiee.self, aggregate: c.id).isEmpty)
            #expect(try await banc.database.count("confirmations", where: "candidature = '\(c.id.uuidString)'") == 1)
            // null is the field absent: unchanged.
            #expect(try await banc.etab(.put, "/v1/candidatures/\(c.id.uuidString)", banc.cfa, json: saisie(#","consentementPublication":null"#))
                .json(Candidature.self).consentementPublication)
        }
    }

    @Test("import: the consentement_publication column (oui, non, empty, wrong value), and a file without it")
    func importation() async throws {
        try await Banc.avecService { banc in
            let chemin = "/v1/sessions/\(banc.session)/etablissements/\(banc.cfa)/import"
            let entete = ImportTests.entete + ";consentement_publication"
            func ligne(_ i: Int, _ consentement: String) -> String {
                (ImportTests.ligne(i, ine: INEs.nouveau()) + [consentement]).joined(separator: ";")
            }
            let avecColonne = [entete, ligne(1, "oui"), ligne(2, "non"), ligne(3, ""), ligne(4, "X"), ligne(5, "peut-être")].joined(separator: "\n") + "\n"
            let essai = try await banc.etab(.post, "\(chemin)?essai=true", banc.cfa, corps: Array(avecColonne.utf8)).json(ImportTests.Rapport.self)
            #expect(essai.lignes == 5 && essai.valides == 4)
            #expect(essai.erreurs.map(\.ligne) == [6])
            #expect(essai.erreurs.first?.champ == "consentement_publication" && essai.erreurs.first?.code == "candidature.consentement")
            #expect(essai.erreurs.first?.message == "Consentement à la publication du nom « peut-être » invalide : oui ou non (vide : non).")

            let reel = try await banc.etab(.post, "\(chemin)?essai=false&valider=true", banc.cfa, corps: Array(avecColonne.utf8)).json(ImportTests.Rapport.self)
            #expect(reel.inscrites == 4 && reel.validees == 4)
            let liste = try await banc.etab(.get, "/v1/sessions/\(banc.session)/candidatures?taille=50", banc.cfa).json(PageCandidatures.self).items
            let parNom = Dictionary(uniqueKeysWithValues: liste.map { ($0.candidat.nomFamille, $0) })
            #expect(parNom["Élève1"]?.consentementPublication == true && parNom["Élève4"]?.consentementPublication == true)
            #expect(parNom["Élève2"]?.consentementPublication == false && parNom["Élève3"]?.consentementPublication == false)
            for c in liste {
                let evenements = try await banc.evenements(CandidatureValidee.self, aggregate: c.id)
                #expect(evenements.map(\.consentementPublication) == [c.consentementPublication], "\(c.candidat.nomFamille)")
            }

            // A file without the column: nobody consents.
            let sansColonne = [ImportTests.entete] + (6...7).map { i in
                ImportTests.ligne(i, ine: INEs.nouveau()).joined(separator: ";")
            }
            let rapport = try await banc.etab(.post, "\(chemin)?essai=false&valider=true", banc.cfa,
                                              corps: Array((sansColonne.joined(separator: "\n") + "\n").utf8)).json(ImportTests.Rapport.self)
            #expect(rapport.inscrites == 2 && rapport.erreurs.isEmpty, "\(rapport.erreurs)")
            let toutes = try await banc.etab(.get, "/v1/sessions/\(banc.session)/candidatures?taille=50", banc.cfa).json(PageCandidatures.self).items
            for c in toutes where ["Élève6", "Élève7"].contains(c.candidat.nomFamille) {
                #expect(!c.consentementPublication)
                #expect(try await banc.evenements(CandidatureValidee.self, aggregate: c.id).map(\.consentementPublication) == [false])
            }

            // The export says it too.
            let export = try await banc.etab(.get, "/v1/sessions/\(banc.session)/candidatures.csv", banc.cfa).texte
            let lignes = export.split(separator: "\r\n").map(String.init)
            #expect(lignes.first?.hasSuffix(";consentement_publication") == true)
            #expect(lignes.contains { $0.contains(";Élève1;") && $0.hasSuffix(";oui") })
            #expect(lignes.contains { $0.contains(";Élève6;") && $0.hasSuffix(";non") })
        }
    }

    @Test("the confirmation PDF says whether the name is published with the result")
    func confirmation() async throws {
        try await Banc.avecService { banc in
            let identite = Saisies.identite(nom: "Lambert")
            func saisie(_ extra: String) -> String { Saisies.candidature(uai: banc.cfa, identite: identite, extra: extra) }
            let c = try await banc.creer(saisie(#","consentementPublication":true"#))
            #expect(try await banc.valider(c.id).status == .ok)
            let oui = try await PDF.texte(Array(buffer: try await banc.appel(.get, "/v1/candidatures/\(c.id.uuidString)/confirmation").corps))
            #expect(oui.contains("Publication du nom avec le résultat oui"), "\(oui)")

            #expect(try await banc.appel(.put, "/v1/candidatures/\(c.id.uuidString)", json: saisie(#","consentementPublication":false"#)).status == .ok)
            let non = try await PDF.texte(Array(buffer: try await banc.appel(.get, "/v1/candidatures/\(c.id.uuidString)/confirmation").corps))
            #expect(non.contains("Publication du nom avec le résultat non"), "\(non)")
            #expect(non.contains("version 2"))
            // The first version stays as it was generated.
            let premiere = try await PDF.texte(Array(buffer: try await banc.appel(.get, "/v1/candidatures/\(c.id.uuidString)/confirmation?version=1").corps))
            #expect(premiere.contains("Publication du nom avec le résultat oui"))
        }
    }
}
