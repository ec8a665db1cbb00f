import Contracts
import Domain
import Foundation
@testable import Inscription
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport

/// Each rule of registration refused with its French message naming the field.
@Suite("Inscription: the rules of registration")
struct ReglesTests {
    /// Creates then validates; returns the refusal of the validation.
    static func refusALaValidation(_ banc: Banc, _ saisie: String) async throws -> Probleme {
        let candidature = try await banc.creer(saisie)
        let reponse = try await banc.valider(candidature.id)
        #expect(reponse.status == .unprocessableContent, "\(reponse.texte)")
        return try reponse.probleme
    }

    @Test("the service of the candidate's category must be open (établissement, Grand Public)")
    func serviceFerme() async throws {
        try await Banc.avecService(services: [.inscriptionGrandPublic]) { banc in
            let reponse = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.cfa,
                                              json: Saisies.candidature(uai: banc.cfa))
            #expect(reponse.status == .unprocessableContent)
            let probleme = try reponse.probleme
            #expect(probleme.code == "inscription.service_ferme")
            #expect(probleme.message.contains("Le service d'inscription établissement de la session \(banc.session) est fermé"))
            #expect(probleme.details?.map(\.location) == ["categorie"])
            #expect(try await banc.database.count("candidatures", where: "session = '\(banc.session)'") == 0, "nothing written")
            // Grand Public is open: a candidate registers himself.
            let gp = try await banc.appel(.post, "/v1/sessions/\(banc.session)/candidatures", .candidat, sujet: "compte-gp-\(UUID())",
                                          json: Saisies.candidature(categorie: "individuel", uai: nil, forme: "progressive"))
            #expect(gp.status == .created, "\(gp.texte)")
        }
        try await Banc.avecService(services: [.inscriptionEtablissement]) { banc in
            let gp = try await banc.appel(.post, "/v1/sessions/\(banc.session)/candidatures", .candidat, sujet: "compte-gp-\(UUID())",
                                          json: Saisies.candidature(categorie: "individuel", uai: nil))
            #expect(try gp.probleme.code == "inscription.service_ferme")
            #expect(try gp.probleme.message.contains("inscription Grand Public"))
        }
    }

    @Test("the spécialité must be offered in the académie")
    func specialiteNonOfferte() async throws {
        try await Banc.avecService { banc in
            let probleme = try await Self.refusALaValidation(banc, Saisies.candidature(uai: banc.cfa, specialite: "BOULANGER", options: []))
            #expect(probleme.code == "candidature.specialite_non_offerte")
            #expect(probleme.message == "La spécialité BOULANGER n'est pas proposée dans l'académie pour la session \(banc.session).")
            #expect(probleme.details?.map(\.location) == ["specialite"])
        }
    }

    @Test("one BP spécialité per candidate per session (same INE)")
    func uneSpecialiteParSession() async throws {
        try await Banc.avecService { banc in
            let ine = INEs.nouveau()
            let premiere = try await banc.creer(Saisies.candidature(uai: banc.cfa, identite: Saisies.identite(ine: ine)))
            let seconde = try await banc.appel(.post, "/v1/sessions/\(banc.session)/candidatures",
                                               json: Saisies.candidature(uai: banc.prive, identite: Saisies.identite(ine: ine)))
            #expect(seconde.status == .unprocessableContent)
            #expect(try seconde.probleme.code == "candidature.specialite_unique")
            #expect(try seconde.probleme.message.contains("(n° \(premiere.numero), spécialité COIFFURE) : un seul BP par candidat et par session"))
            // Once the first is cancelled, the candidate may register again.
            #expect(try await banc.appel(.post, "/v1/candidatures/\(premiere.id.uuidString)/annulation", json: #"{"motif":"erreur de saisie"}"#).status == .ok)
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/candidatures",
                                         json: Saisies.candidature(uai: banc.prive, identite: Saisies.identite(ine: ine))).status == .created)
        }
    }

    @Test("at most one facultative unit; options checked against the règlement")
    func facultativesEtOptions() async throws {
        try await Banc.avecService { banc in
            let probleme = try await Self.refusALaValidation(banc, Saisies.candidature(uai: banc.cfa, facultatives: ["UF1", "UF2"]))
            #expect(probleme.code == "candidature.facultatives")
            #expect(probleme.message == "Un candidat choisit au plus une unité facultative (2 demandées : UF1, UF2).")
            let sansOption = try await Self.refusALaValidation(banc, Saisies.candidature(
                uai: banc.cfa, options: [], identite: Saisies.identite(nom: "Durand")))
            #expect(sansOption.code == "candidature.option")
            #expect(sansOption.message.hasPrefix("L'épreuve E3 Coiffure événementielle ou coupe homme se passe au choix"))
        }
    }

    @Test("apprentices take the forme globale")
    func apprentiFormeGlobale() async throws {
        try await Banc.avecService { banc in
            let probleme = try await Self.refusALaValidation(banc, Saisies.candidature(uai: banc.cfa, forme: "progressive"))
            #expect(probleme.code == "candidature.forme_apprenti")
            #expect(probleme.message == "Un apprenti passe le BP en forme globale : la forme progressive ne lui est pas ouverte.")
            #expect(probleme.details?.map(\.location) == ["forme"])
        }
    }

    @Test("the form is final once validated")
    func formeDefinitive() async throws {
        try await Banc.avecService { banc in
            let identite = Saisies.identite()
            let candidature = try await banc.creer(Saisies.candidature(categorie: "fpc", uai: banc.cfa, forme: "progressive", identite: identite))
            #expect(try await banc.valider(candidature.id).status == .ok)
            let reponse = try await banc.appel(.put, "/v1/candidatures/\(candidature.id.uuidString)",
                                               json: Saisies.candidature(categorie: "fpc", uai: banc.cfa, forme: "globale", identite: identite))
            #expect(reponse.status == .unprocessableContent)
            #expect(try reponse.probleme.code == "candidature.forme_definitive")
            #expect(try reponse.probleme.message == "Le choix de la forme (forme progressive) est définitif depuis la validation de la candidature.")
            let relue = try await banc.appel(.get, "/v1/candidatures/\(candidature.id.uuidString)").json(Candidature.self)
            #expect(relue.forme == .progressive && relue.etat == .validee && relue.revision == candidature.revision + 1, "the refused change left it as it was")
        }
    }

    @Test("bénéfices: only grades ≥ 10 obtained within 5 years")
    func benefices() async throws {
        try await Banc.avecService { banc in
            let annee = try anneeDeSession(banc.session)
            let faible = try await Self.refusALaValidation(banc, Saisies.candidature(
                categorie: "fpc", uai: banc.cfa, benefices: #"[{"unite":"U20","note":"9,5","session":"BP-\#(annee - 1)-06-N","dateObtention":"\#(annee - 1)-07-01"}]"#))
            #expect(faible.code == "benefice.note_insuffisante")
            #expect(faible.message == "Un bénéfice ne se garde que pour une note d'au moins 10/20 (unité U20 : 9,50/20) ; une note inférieure ne se reporte qu'en forme progressive.")
            #expect(faible.details?.map(\.location) == ["benefices[0].note"])
            let ancien = try await Self.refusALaValidation(banc, Saisies.candidature(
                categorie: "fpc", uai: banc.cfa, benefices: #"[{"unite":"U20","note":"14","session":"BP-\#(annee - 6)-06-N","dateObtention":"\#(annee - 6)-07-01"}]"#,
                identite: Saisies.identite(nom: "Bernard")))
            #expect(ancien.code == "benefice.perime")
            #expect(ancien.message.contains("obtenu le 01/07/\(annee - 6) n'est plus valable : une note se garde 5 ans"))
            let bon = try await banc.creer(Saisies.candidature(
                categorie: "fpc", uai: banc.cfa, benefices: #"[{"unite":"U20","note":"14","session":"BP-\#(annee - 2)-06-N","dateObtention":"\#(annee - 2)-07-01"}]"#,
                identite: Saisies.identite(nom: "Petit")))
            let validee = try await banc.valider(bon.id).json(Candidature.self)
            let u20 = try #require(validee.unites?.first { $0.code == "U20" })
            #expect(u20.situation == .benefice && u20.noteConservee == 1400 && u20.mode == nil)
            #expect(u20.sessionOrigine == "BP-\(annee - 2)-06-N" && u20.obtenueLe == "\(annee - 2)-07-01")
        }
    }

    @Test("forme progressive: a grade below 10 carried, units left for a later session; neither in the forme globale")
    func formeProgressive() async throws {
        try await Banc.avecService { banc in
            let annee = try anneeDeSession(banc.session)
            let report = #"[{"unite":"U20","note":"8,5","session":"BP-\#(annee - 1)-06-N","dateObtention":"\#(annee - 1)-07-01"}]"#
            let progressive = try await banc.creer(Saisies.candidature(
                categorie: "fpc", uai: banc.cfa, forme: "progressive", benefices: report, extra: #","ulterieures":["u10"]"#))
            let validee = try await banc.valider(progressive.id)
            #expect(validee.status == .ok, "\(validee.texte)")
            let unites = try #require(try validee.json(Candidature.self).unites)
            let u20 = try #require(unites.first { $0.code == "U20" })
            #expect(u20.situation == .reportee && u20.noteConservee == 850 && u20.sessionOrigine == "BP-\(annee - 1)-06-N")
            #expect(unites.first { $0.code == "U10" }?.situation == .ulterieure)
            #expect(unites.first { $0.code == "U10" }?.mode == nil)
            #expect(unites.contains { $0.situation == .presentee })

            let globale = try await Self.refusALaValidation(banc, Saisies.candidature(
                categorie: "fpc", uai: banc.cfa, identite: Saisies.identite(nom: "Globale"), extra: #","ulterieures":["U10"]"#))
            #expect(globale.code == "candidature.ulterieures_globale")
            let tout = try await Self.refusALaValidation(banc, Saisies.candidature(
                categorie: "fpc", uai: banc.cfa, forme: "progressive", identite: Saisies.identite(nom: "Rien"),
                extra: #","ulterieures":["U10","U20","U30A","U40","U50","U60"]"#))
            #expect(tout.code == "candidature.aucune_unite", "\(tout.message)")
        }
    }

    @Test("a bénéfice names the session it was obtained at, as a session code")
    func beneficeSansSession() async throws {
        try await Banc.avecService { banc in
            let annee = try anneeDeSession(banc.session)
            for (session, code) in [(nil, "champ.manquant"), ("juin \(annee - 1)", "session.format")] as [(String?, String)] {
                let champ = session.map { #""session":"\#($0)","# } ?? ""
                let reponse = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.cfa, json: Saisies.candidature(
                    categorie: "fpc", uai: banc.cfa, benefices: #"[{"unite":"U20","note":"14",\#(champ)"dateObtention":"\#(annee - 1)-07-01"}]"#))
                #expect(reponse.status == .unprocessableContent, "\(reponse.texte)")
                let detail = try #require(try reponse.probleme.details?.first { $0.location == "benefices[0].session" })
                #expect(detail.code.hasPrefix(code.components(separatedBy: ".")[0]), "\(detail)")
            }
        }
    }

    @Test("a dispense needs its supporting piece")
    func dispenseSansPiece() async throws {
        try await Banc.avecService { banc in
            let candidature = try await banc.creer(Saisies.candidature(
                categorie: "fpc", uai: banc.cfa, dispenses: #"[{"unite":"U60","motif":"diplome","precision":"Baccalauréat général"}]"#))
            let refus = try await banc.valider(candidature.id)
            #expect(try refus.probleme.code == "dispense.piece_manquante")
            #expect(try refus.probleme.message == "La dispense de l'unité U60 demande sa pièce justificative (diplôme ou relevé) : déposez-la avant de valider.")
            #expect(try refus.probleme.details?.map(\.location) == ["dispenses[0]"])
            let depot = try await banc.appel(.post, "/v1/candidatures/\(candidature.id.uuidString)/pieces?type=DISPENSE&nom=bac.pdf",
                                             corps: Array("%PDF-1.4\n%test\n".utf8), contentType: "application/pdf")
            #expect(depot.status == .created, "\(depot.texte)")
            let validee = try await banc.valider(candidature.id).json(Candidature.self)
            #expect(validee.unites?.first { $0.code == "U60" }?.situation == .dispense)
        }
    }

    @Test("the same person twice without an INE is refused as a duplicate; the gestionnaire may accept a homonym")
    func doublons() async throws {
        try await Banc.avecService { banc in
            let nom = "Lefèvre\(Int.random(in: 1000...9999))"
            let premiere = try await banc.creer(Saisies.candidature(uai: banc.cfa, identite: Saisies.identite(nom: nom, ine: nil)))
            // Same name with other accents and case, same first first name and birth date.
            let autre = Saisies.identite(nom: nom.uppercased().replacingOccurrences(of: "È", with: "E"), prenoms: "Léa", ine: nil)
            let reponse = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.prive,
                                              json: Saisies.candidature(categorie: "fpc", uai: banc.prive, identite: autre))
            #expect(try reponse.probleme.code == "candidature.doublon")
            // The établissement learns the rule, not the other person's numéro.
            #expect(try reponse.probleme.message.hasPrefix("Doublon probable : une candidature de la session"))
            #expect(!reponse.texte.contains(premiere.numero), "\(reponse.texte)")
            // The gestionnaire sees which candidature it is.
            let pourGestionnaire = try await banc.appel(.post, "/v1/sessions/\(banc.session)/candidatures",
                                                        json: Saisies.candidature(categorie: "fpc", uai: banc.prive, identite: autre))
            #expect(try pourGestionnaire.probleme.message.hasPrefix("Doublon probable : la candidature n° \(premiere.numero)"))
            let acceptee = try await banc.creer(Saisies.candidature(categorie: "fpc", uai: banc.prive, identite: autre, extra: #","accepterHomonyme":true"#))
            #expect(acceptee.homonymeAccepte == premiere.numero)
            #expect(try await banc.valider(acceptee.id).status == .ok)
        }
    }

    @Test("units: CCF for a habilitated CFA's apprentice, all ponctuel in a private établissement")
    func modesParCategorie() async throws {
        try await Banc.avecService { banc in
            let apprenti = try await banc.valider(try await banc.creer(Saisies.candidature(uai: banc.cfa, facultatives: ["UF1"])).id).json(Candidature.self)
            #expect(apprenti.categorieReglementaire == .apprentiCFAHabilite)
            #expect(apprenti.unites?.map(\.code) == ["U10", "U20", "U30A", "U40", "U50", "U60", "UF1"])
            #expect(apprenti.unites?.filter { $0.mode == .ccf }.map(\.code) == ["U40", "U50", "U60"])
            let prive = try await banc.valider(try await banc.creer(Saisies.candidature(
                categorie: "fpc", uai: banc.prive, options: ["U30B"], forme: "progressive", identite: Saisies.identite(nom: "Roux"))).id).json(Candidature.self)
            #expect(prive.categorieReglementaire == .fpcPrive)
            #expect(prive.unites?.allSatisfy { $0.mode == .ponctuel } == true)
        }
    }

    @Test("who may do what: an établissement only its students, a candidate only himself as individuel")
    func portee() async throws {
        try await Banc.avecService { banc in
            let autre = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.prive, json: Saisies.candidature(uai: banc.cfa))
            #expect(autre.status == .forbidden)
            let candidature = try await banc.creer(Saisies.candidature(uai: banc.cfa))
            #expect(try await banc.etab(.get, "/v1/candidatures/\(candidature.id.uuidString)", banc.prive).status == .forbidden)
            #expect(try await banc.etab(.get, "/v1/candidatures/\(candidature.id.uuidString)", banc.cfa).status == .ok)
            let liste = try await banc.etab(.get, "/v1/sessions/\(banc.session)/candidatures", banc.prive).json(PageCandidatures.self)
            #expect(liste.total == 0)
            let apprenti = try await banc.appel(.post, "/v1/sessions/\(banc.session)/candidatures", .candidat, sujet: "x", json: Saisies.candidature(uai: banc.cfa))
            #expect(apprenti.status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/candidatures/\(candidature.id.uuidString)", .candidat, sujet: "quelqu-un").status == .forbidden)
            // The papillon account of this candidate (scopes candidat:<numéro> and uai:<its établissement>) sees it.
            #expect(try await banc.appel(.get, "/v1/candidatures/\(candidature.id.uuidString)", .candidat,
                                         scopes: ["candidat:\(candidature.numero)", "uai:\(banc.cfa)"], sujet: "papillon").status == .ok)
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/candidatures", nil, json: Saisies.candidature(uai: banc.cfa)).status == .unauthorized)
        }
    }

    @Test("malformed fields are all named at once, nothing written")
    func champsInvalides() async throws {
        try await Banc.avecService { banc in
            let identite = #"{"ine":"12345","nomFamille":"","prenoms":"Léa","sexe":"X","dateNaissance":"31/02/2005","communeNaissance":"Lyon","adresse":"x","codePostal":"6900","commune":"Lyon","courriel":"pas-un-courriel"}"#
            let reponse = try await banc.appel(.post, "/v1/sessions/\(banc.session)/candidatures",
                                               json: Saisies.candidature(categorie: "salarie", uai: banc.cfa, forme: "mixte", identite: identite))
            #expect(reponse.status == .unprocessableContent)
            #expect(try reponse.probleme.details?.map(\.location) == [
                "candidat.ine", "candidat.nomFamille", "candidat.sexe", "candidat.dateNaissance", "candidat.codePostal", "candidat.courriel",
                "categorie", "forme",
            ])
            #expect(try await banc.database.count("candidatures", where: "session = '\(banc.session)'") == 0)
        }
    }
}

struct PageCandidatures: Decodable {
    var items: [Candidature]
    var total: Int
}

/// The year of a session code.
func anneeDeSession(_ code: String) throws -> Int { try SessionCode(code).annee }
