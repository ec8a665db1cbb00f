import Contracts
import Foundation
@testable import Inscription
import ServiceKit
import Testing
import TestSupport

@Suite("Inscription: lifecycle, history, confirmations, events")
struct CycleDeVieTests {
    struct Historique: Decodable {
        struct Evenement: Decodable { var action: String; var par: String; var detail: [String: CandidatureRepository.Ecart] }
        var items: [Evenement]
    }

    @Test("brouillon → validée → modifiée → annulée: history, confirmation versions and one event per step")
    func cycleComplet() async throws {
        try await Banc.avecService { banc in
            let identite = Saisies.identite(nom: "Moreau")
            let creee = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.cfa,
                                            json: Saisies.candidature(uai: banc.cfa, identite: identite))
            #expect(creee.status == .created)
            let brouillon = try creee.json(Candidature.self)
            #expect(brouillon.etat == .brouillon && brouillon.numero.count == 8 && brouillon.etablissement == "CFA des métiers de bouche")
            #expect(try await banc.evenements(CandidatureValidee.self, aggregate: brouillon.id).isEmpty)
            #expect(try await banc.appel(.get, "/v1/candidatures/\(brouillon.id.uuidString)/confirmation").status == .notFound)

            // A draft changes freely, without an event.
            let change = try await banc.etab(.put, "/v1/candidatures/\(brouillon.id.uuidString)", banc.cfa,
                                             json: Saisies.candidature(uai: banc.cfa, options: ["U30B"], identite: identite))
            #expect(try change.json(Candidature.self).options == ["U30B"])

            let validee = try await banc.appel(.post, "/v1/candidatures/\(brouillon.id.uuidString)/validation", .etablissement,
                                               scopes: ["uai:\(banc.cfa)"], sujet: "etab").json(Candidature.self)
            #expect(validee.etat == .validee && validee.valideeLe != nil)
            let evenementsValidee = try await banc.evenements(CandidatureValidee.self, aggregate: brouillon.id)
            #expect(evenementsValidee.count == 1)
            let evenement = try #require(evenementsValidee.first)
            #expect(evenement.numero == brouillon.numero && evenement.specialite == "COIFFURE" && evenement.forme == .globale)
            #expect(evenement.etablissement?.uai.value == banc.cfa && evenement.etablissement?.gestionAutonome == true)
            #expect(evenement.unites.map(\.code) == ["U10", "U20", "U30B", "U40", "U50", "U60"])
            #expect(evenement.candidat.nomFamille == "Moreau" && evenement.revision == validee.revision)
            #expect(try await banc.etab(.post, "/v1/candidatures/\(brouillon.id.uuidString)/validation", banc.cfa).probleme.code == "candidature.deja_validee")

            // A change after validation: state modifiée, a new confirmation, an event with a higher revision.
            let modifiee = try await banc.etab(.put, "/v1/candidatures/\(brouillon.id.uuidString)", banc.cfa,
                                               json: Saisies.candidature(uai: banc.cfa, options: ["U30A"], facultatives: ["UF1"], identite: identite))
            let apres = try modifiee.json(Candidature.self)
            #expect(apres.etat == .modifiee && apres.revision > validee.revision)
            let modifications = try await banc.evenements(CandidatureModifiee.self, aggregate: brouillon.id)
            #expect(modifications.map(\.revision) == [apres.revision])
            #expect(modifications.first?.unites.map(\.code) == ["U10", "U20", "U30A", "U40", "U50", "U60", "UF1"])
            struct Versions: Decodable { struct V: Decodable { var version: Int }; var items: [V] }
            #expect(try await banc.appel(.get, "/v1/candidatures/\(brouillon.id.uuidString)/confirmations").json(Versions.self).items.map(\.version) == [2, 1])

            // The same form sent again changes nothing.
            let identique = try await banc.etab(.put, "/v1/candidatures/\(brouillon.id.uuidString)", banc.cfa,
                                                json: Saisies.candidature(uai: banc.cfa, options: ["U30A"], facultatives: ["UF1"], identite: identite))
            #expect(try identique.json(Candidature.self).revision == apres.revision)

            let annulation = try await banc.etab(.post, "/v1/candidatures/\(brouillon.id.uuidString)/annulation", banc.cfa, json: #"{"motif":""}"#)
            #expect(try annulation.probleme.code == "annulation.motif")
            let annulee = try await banc.etab(.post, "/v1/candidatures/\(brouillon.id.uuidString)/annulation", banc.cfa,
                                              json: #"{"motif":"Rupture du contrat d'apprentissage"}"#).json(Candidature.self)
            #expect(annulee.etat == .annulee && annulee.motifAnnulation == "Rupture du contrat d'apprentissage")
            let annulations = try await banc.evenements(CandidatureAnnulee.self, aggregate: brouillon.id)
            #expect(annulations.map(\.motif) == ["Rupture du contrat d'apprentissage"] && annulations.first?.revision == annulee.revision)
            #expect(try await banc.etab(.put, "/v1/candidatures/\(brouillon.id.uuidString)", banc.cfa,
                                        json: Saisies.candidature(uai: banc.cfa, identite: identite)).probleme.code == "candidature.annulee")

            let historique = try await banc.appel(.get, "/v1/candidatures/\(brouillon.id.uuidString)/historique").json(Historique.self)
            #expect(historique.items.map(\.action) == ["creation", "modification", "validation", "modification", "annulation"])
            #expect(historique.items[1].detail["options"] == .init(avant: "U30A", apres: "U30B"))
            #expect(historique.items[3].detail["facultatives"] == .init(avant: nil, apres: "UF1"))
            #expect(historique.items.allSatisfy { $0.par == "etab-\(banc.cfa)" || $0.par == "etab" })
        }
    }

    @Test("the confirmation PDF opens with pdftotext and holds the candidate's choices")
    func confirmationPDF() async throws {
        try await Banc.avecService { banc in
            let candidature = try await banc.creer(Saisies.candidature(
                categorie: "fpc", uai: banc.cfa, options: ["U30B"], facultatives: ["UF2"], forme: "progressive",
                benefices: #"[{"unite":"U20","note":"13,5","session":"BP-\#(try anneeDeSession(banc.session) - 1)-06-N","dateObtention":"\#(try anneeDeSession(banc.session) - 1)-07-01"}]"#,
                identite: Saisies.identite(nom: "Dupré-Lefèvre", prenoms: "Chloé Anaïs")))
            #expect(try await banc.valider(candidature.id).status == .ok)
            let reponse = try await banc.appel(.get, "/v1/candidatures/\(candidature.id.uuidString)/confirmation")
            #expect(reponse.status == .ok)
            #expect(reponse.headers[.contentType] == "application/pdf")
            let texte = try await PDF.texte(Array(buffer: reponse.corps))
            for attendu in [
                "Confirmation d'inscription", "Candidature n° \(candidature.numero) — version 1", "DUPRÉ-LEFÈVRE", "Chloé Anaïs",
                "BP Coiffure (COIFFURE)", "forme progressive", "formation continue, établissement public habilité",
                "CFA des métiers de bouche (\(banc.cfa))", "U30B", "Coupe homme et entretien pilo-facial", "UF2",
                "bénéfice conservé (13,50/20)", "présentée en CCF", "présentée en épreuve ponctuelle", "Pièce d'identité",
            ] {
                #expect(texte.contains(attendu), "« \(attendu) » missing from the PDF:\n\(texte)")
            }
            #expect(!texte.contains("Contrat d'apprentissage"), "an FPC candidate is not asked for an apprenticeship contract")
            // A candidate who is not this one cannot download it.
            #expect(try await banc.appel(.get, "/v1/candidatures/\(candidature.id.uuidString)/confirmation", .candidat, sujet: "autre").status == .forbidden)
        }
    }

    @Test("bulk regeneration writes a new version only where the content changed; bulk printing gives one PDF")
    func regenerationEnMasse() async throws {
        try await Banc.avecService { banc in
            var ids: [UUID] = []
            for nom in ["Aubert", "Blanc", "Colin"] {
                let c = try await banc.creer(Saisies.candidature(uai: banc.cfa, identite: Saisies.identite(nom: nom)))
                #expect(try await banc.valider(c.id).status == .ok)
                ids.append(c.id)
            }
            struct Regeneration: Decodable { var examinees: Int; var regenerees: Int }
            let rien = try await banc.appel(.post, "/v1/sessions/\(banc.session)/confirmations/regeneration").json(Regeneration.self)
            #expect(rien.examinees == 3 && rien.regenerees == 0)
            // The centre is renamed (its event arrives): every confirmation shows the old name.
            try await banc.database.transaction { connection in
                try await banc.referentiel.enregistrer(CentreEtat(
                    session: try .init(banc.session), uai: try .init(banc.cfa), nom: "CFA Ferrandi", commune: "Paris", secteur: .public,
                    habilitationCFA: true, habilitationFPC: true, roles: [.inscription], gestionAutonome: true, salles: [], revision: 2), on: connection)
            }
            let faite = try await banc.appel(.post, "/v1/sessions/\(banc.session)/confirmations/regeneration?uai=\(banc.cfa)").json(Regeneration.self)
            #expect(faite.examinees == 3 && faite.regenerees == 3)
            #expect(try await banc.etab(.post, "/v1/sessions/\(banc.session)/confirmations/regeneration", banc.cfa).status == .forbidden)
            let lot = try await banc.etab(.get, "/v1/sessions/\(banc.session)/confirmations.pdf", banc.cfa)
            #expect(lot.status == .ok)
            let texte = try await PDF.texte(Array(buffer: lot.corps))
            #expect(texte.components(separatedBy: "Confirmation d'inscription").count - 1 == 3)
            #expect(texte.contains("CFA Ferrandi") && texte.contains("version 2"))
        }
    }
}

