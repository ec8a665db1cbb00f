import Contracts
import Foundation
@testable import Inscription
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport

/// Who may change a candidate's identity, and what a refusal tells: a candidat row is shared by
/// all of a person's candidatures (same INE), so a caller that does not follow him may neither
/// rewrite it nor read it; the refusals of the rules name the rule to anyone but the
/// gestionnaire; a papillon account reaches candidatures of its own établissement only.
@Suite("Inscription: identity ownership, refusals that tell nothing, papillon scope")
struct ConfidentialiteTests {
    static func identite(ine: String?, nom: String = "Garnier", adresse: String = "12 impasse des Secrets") -> String {
        let ineJSON = ine.map { #""\#($0)""# } ?? "null"
        return #"{"ine":\#(ineJSON),"nomFamille":"\#(nom)","prenoms":"Inès","sexe":"F","dateNaissance":"2004-05-06","communeNaissance":"Lille","paysNaissance":"France","adresse":"\#(adresse)","codePostal":"59000","commune":"Lille","courriel":"ines.garnier@exemple.fr","telephone":"0611223344"}"#
    }

    /// An import line with the same identity as `identite(ine:nom:adresse:)`.
    static func ligne(ine: String, nom: String = "Garnier", adresse: String = "12 impasse des Secrets") -> String {
        [ine, nom, "", "Inès", "F", "2004-05-06", "Lille", "France", adresse, "59000", "Lille", "ines.garnier@exemple.fr", "0611223344",
         "fpc", "COIFFURE", "U30A", "", "globale"].joined(separator: ";")
    }

    /// The stored identity of a candidature, read as the gestionnaire.
    static func stockee(_ banc: Banc, _ id: UUID) async throws -> Candidat {
        try await banc.appel(.get, "/v1/candidatures/\(id.uuidString)").json(Candidature.self).candidat
    }

    @Test("an établissement that does not follow a candidate cannot rewrite his identity by typing his INE: refused, nothing changed, nothing shown")
    func creationRefuseeSansRecriture() async throws {
        try await Banc.avecService { banc in
            let ine = INEs.nouveau()
            let premiere = try await banc.creer(
                Saisies.candidature(uai: banc.cfa, identite: Self.identite(ine: ine)), .etablissement, scopes: ["uai:\(banc.cfa)"], sujet: "etab-cfa")
            let avant = try await Self.stockee(banc, premiere.id)
            let intruse = Saisies.candidature(categorie: "fpc", uai: banc.prive, identite: Self.identite(ine: ine, nom: "Intrus", adresse: "1 rue Fausse"))

            // Same session: refused on the identity before anything else, naming the rule only.
            let refus = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.prive, json: intruse)
            #expect(refus.status == .conflict, "\(refus.texte)")
            #expect(try refus.probleme.code == "candidat.identite_partagee")
            #expect(try refus.probleme.details?.map(\.location) == ["candidat"])
            for secret in ["Garnier", "GARNIER", "Secrets", premiere.numero, banc.cfa] {
                #expect(!refus.texte.contains(secret), "the refusal shows \(secret): \(refus.texte)")
            }
            #expect(try await Self.stockee(banc, premiere.id) == avant, "a refused creation leaves the stored identity unchanged")

            // Once the first candidature is cancelled nothing else refuses the creation: the identity still does.
            #expect(try await banc.etab(.post, "/v1/candidatures/\(premiere.id.uuidString)/annulation", banc.cfa,
                                        json: #"{"motif":"réorientation"}"#).status == .ok)
            let encore = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.prive, json: intruse)
            #expect(encore.status == .conflict, "\(encore.texte)")
            #expect(!encore.texte.contains("Secrets"))
            #expect(try await Self.stockee(banc, premiere.id) == avant)
            #expect(try await banc.database.count("candidatures", where: "session = '\(banc.session)' AND uai = '\(banc.prive)'") == 0)

            // Giving exactly the stored identity links to it (the caller learns nothing it did not send).
            let meme = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.prive,
                                           json: Saisies.candidature(categorie: "fpc", uai: banc.prive, identite: Self.identite(ine: ine)))
            #expect(meme.status == .created, "\(meme.texte)")
            let liee = try meme.json(Candidature.self)
            #expect(liee.candidatId == premiere.candidatId)

            // Now shared with the first établissement's candidature: only the gestionnaire changes it.
            let changement = Saisies.candidature(categorie: "fpc", uai: banc.prive, identite: Self.identite(ine: ine, adresse: "5 rue Neuve"))
            let modifiee = try await banc.etab(.put, "/v1/candidatures/\(liee.id.uuidString)", banc.prive, json: changement)
            #expect(modifiee.status == .conflict, "\(modifiee.texte)")
            #expect(try modifiee.probleme.code == "candidat.identite_partagee")
            #expect(try await Self.stockee(banc, premiere.id) == avant)
            let parGestionnaire = try await banc.appel(.put, "/v1/candidatures/\(liee.id.uuidString)", json: changement)
            #expect(parGestionnaire.status == .ok, "\(parGestionnaire.texte)")
            #expect(try await Self.stockee(banc, premiere.id).adresse == "5 rue Neuve")
        }
    }

    @Test("the établissement that follows a candidate alone still changes his identity")
    func proprietaireModifie() async throws {
        try await Banc.avecService { banc in
            let ine = INEs.nouveau()
            let candidature = try await banc.creer(
                Saisies.candidature(uai: banc.cfa, identite: Self.identite(ine: ine)), .etablissement, scopes: ["uai:\(banc.cfa)"], sujet: "etab-cfa")
            let reponse = try await banc.etab(.put, "/v1/candidatures/\(candidature.id.uuidString)", banc.cfa,
                                              json: Saisies.candidature(uai: banc.cfa, identite: Self.identite(ine: ine, adresse: "8 quai Neuf")))
            #expect(reponse.status == .ok, "\(reponse.texte)")
            #expect(try await Self.stockee(banc, candidature.id).adresse == "8 quai Neuf")
        }
    }

    @Test("an import does not link a line to a stored identity it does not match, and never shows the stored address")
    func importSansRevelerLAdresse() async throws {
        try await Banc.avecService { banc in
            let ine = INEs.nouveau()
            let premiere = try await banc.creer(
                Saisies.candidature(uai: banc.cfa, identite: Self.identite(ine: ine)), .etablissement, scopes: ["uai:\(banc.cfa)"], sujet: "etab-cfa")
            #expect(try await banc.etab(.post, "/v1/candidatures/\(premiere.id.uuidString)/annulation", banc.cfa,
                                        json: #"{"motif":"départ"}"#).status == .ok)
            let avant = try await Self.stockee(banc, premiere.id)
            let chemin = "/v1/sessions/\(banc.session)/etablissements/\(banc.prive)/import"
            let fichier = ImportTests.entete + "\n" + Self.ligne(ine: ine, nom: "Garnier", adresse: "1 rue Fausse") + "\n"

            for essai in [true, false] {
                let reponse = try await banc.etab(.post, "\(chemin)?essai=\(essai)", banc.prive, corps: Array(fichier.utf8))
                #expect(reponse.status == .ok, "\(reponse.texte)")
                let rapport = try reponse.json(ImportTests.Rapport.self)
                #expect(rapport.erreurs.map(\.code) == ["candidat.identite_partagee"], "\(rapport.erreurs)")
                #expect(rapport.erreurs.first?.ligne == 2 && rapport.erreurs.first?.champ == "ine")
                #expect(rapport.inscrites == 0)
                #expect(!reponse.texte.contains("Secrets") && !reponse.texte.contains(premiere.numero), "\(reponse.texte)")
            }
            #expect(try await banc.database.count("candidatures", where: "session = '\(banc.session)' AND uai = '\(banc.prive)'") == 0)
            #expect(try await Self.stockee(banc, premiere.id) == avant)
            let liste = try await banc.etab(.get, "/v1/sessions/\(banc.session)/candidatures", banc.prive)
            #expect(!liste.texte.contains("Secrets"))

            // The same person said exactly as stored: imported on the same candidat.
            let identique = ImportTests.entete + "\n" + Self.ligne(ine: ine) + "\n"
            let reel = try await banc.etab(.post, "\(chemin)?essai=false", banc.prive, corps: Array(identique.utf8)).json(ImportTests.Rapport.self)
            #expect(reel.inscrites == 1 && reel.erreurs.isEmpty, "\(reel.erreurs)")
        }
    }

    @Test("one BP per session and the import dry run: an établissement learns the rule, the gestionnaire which candidature")
    func refusSansLaCandidatureDUnAutre() async throws {
        try await Banc.avecService { banc in
            let ine = INEs.nouveau()
            let premiere = try await banc.creer(
                Saisies.candidature(uai: banc.cfa, identite: Self.identite(ine: ine)), .etablissement, scopes: ["uai:\(banc.cfa)"], sujet: "etab-cfa")
            let saisie = Saisies.candidature(categorie: "fpc", uai: banc.prive, identite: Self.identite(ine: ine))
            let refus = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.prive, json: saisie)
            #expect(refus.status == .unprocessableContent, "\(refus.texte)")
            #expect(try refus.probleme.code == "candidature.specialite_unique")
            #expect(try refus.probleme.message.contains("un seul BP par candidat et par session"))
            for secret in [premiere.numero, "COIFFURE", banc.cfa] { #expect(!refus.texte.contains(secret), "\(refus.texte)") }
            let gestionnaire = try await banc.appel(.post, "/v1/sessions/\(banc.session)/candidatures", json: saisie)
            #expect(try gestionnaire.probleme.message.contains("n° \(premiere.numero), spécialité COIFFURE"))

            let chemin = "/v1/sessions/\(banc.session)/etablissements/\(banc.prive)/import?essai=true"
            let fichier = Array((ImportTests.entete + "\n" + Self.ligne(ine: ine) + "\n").utf8)
            let essai = try await banc.etab(.post, chemin, banc.prive, corps: fichier)
            #expect(try essai.json(ImportTests.Rapport.self).erreurs.map(\.code) == ["candidature.specialite_unique"])
            for secret in [premiere.numero, banc.cfa] { #expect(!essai.texte.contains(secret), "\(essai.texte)") }
            let essaiGestionnaire = try await banc.appel(.post, chemin, corps: fichier)
            #expect(essaiGestionnaire.texte.contains(premiere.numero) && essaiGestionnaire.texte.contains(banc.cfa), "\(essaiGestionnaire.texte)")
        }
    }

    @Test("a papillon account reaches the candidatures of its own établissement only; the gateway's check answers for one établissement")
    func papillon() async throws {
        try await Banc.avecService { banc in
            let aCfa = try await banc.creer(Saisies.candidature(uai: banc.cfa, identite: Self.identite(ine: INEs.nouveau())))
            let aPrive = try await banc.creer(Saisies.candidature(categorie: "fpc", uai: banc.prive, identite: Self.identite(ine: INEs.nouveau(), nom: "Petit")))
            // A papillon printed for the CFA that names the private établissement's numéro.
            let detourne: Set<String> = ["candidat:\(aPrive.numero)", "uai:\(banc.cfa)"]
            let lecture = try await banc.appel(.get, "/v1/candidatures/\(aPrive.id.uuidString)", .candidat, scopes: detourne, sujet: "papillon-1")
            #expect(lecture.status == .forbidden)
            let liste = try await banc.appel(.get, "/v1/sessions/\(banc.session)/candidatures", .candidat, scopes: detourne, sujet: "papillon-1")
            #expect(try liste.json(PageCandidatures.self).items.isEmpty, "\(liste.texte)")
            let dossier = try await banc.appel(.get, "/v1/candidats/\(aPrive.numero)/candidature", .candidat, scopes: detourne, sujet: "papillon-1")
            #expect(dossier.status == .ok && !dossier.texte.contains(aPrive.numero), "\(dossier.texte)")
            // The legitimate papillon reads its own.
            let sien: Set<String> = ["candidat:\(aCfa.numero)", "uai:\(banc.cfa)"]
            #expect(try await banc.appel(.get, "/v1/candidatures/\(aCfa.id.uuidString)", .candidat, scopes: sien, sujet: "papillon-2").status == .ok)

            // The check the gateway makes before printing.
            let verification = "/v1/etablissements/\(banc.cfa)/papillons/verification"
            let corps = #"{"numeros":["\#(aCfa.numero)","\#(aPrive.numero)","99999999"]}"#
            let reponse = try await banc.etab(.post, verification, banc.cfa, json: corps)
            #expect(reponse.status == .ok, "\(reponse.texte)")
            #expect(reponse.texte.contains(aCfa.numero) && !reponse.texte.contains(aPrive.numero), "\(reponse.texte)")
            #expect(try await banc.etab(.post, verification, banc.prive, json: corps).status == .forbidden)
            #expect(try await banc.appel(.post, verification, .candidat, scopes: sien, json: corps).status == .forbidden)
            // A cancelled candidature gets no papillon.
            #expect(try await banc.appel(.post, "/v1/candidatures/\(aCfa.id.uuidString)/annulation", json: #"{"motif":"abandon"}"#).status == .ok)
            #expect(!(try await banc.etab(.post, verification, banc.cfa, json: corps).texte.contains(aCfa.numero)))
        }
    }
}
