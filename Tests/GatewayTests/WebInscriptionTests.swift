import Foundation
import HTTPTypes
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// The registration pages on the real Inscription service (live socket, its own session fed as
/// the réglementation events would): the établissement's entry, list, pièces, exports, import
/// and papillons; the Grand Public wizard; the gestionnaire's lists and aménagement desk.
@Suite("Pages web : inscription", .serialized)
struct WebInscriptionTests {
    /// Calls of the service take a PDF rendering now and then: a generous deadline.
    static let delai = 15_000

    static func connecte(_ banc: WebBanc, _ role: Role, habilitations: [String] = [], nom: String = "Camille Testeur") async throws -> (WebNavigateur, Account) {
        let compte = try await banc.compte(role, nom: nom, habilitations: habilitations)
        let navigateur = banc.navigateur()
        try #require(try await navigateur.connexion(compte.login, WebBanc.motDePasse).status == .seeOther)
        return (navigateur, compte)
    }

    /// The candidature id of a `…/candidatures/{id}…` or `/candidat/inscription/{id}` location.
    static func id(_ location: String?) throws -> String {
        let texte = try #require(location)
        let match = try #require(texte.firstMatch(of: /([0-9a-fA-F]{8}-[0-9a-fA-F-]{27})/))
        return String(match.1)
    }

    static func identite(nom: String, prenoms: String = "Léa", naissance: String = "2005-03-14") -> [(String, String)] {
        [("nomFamille", nom), ("prenoms", prenoms), ("sexe", "F"), ("dateNaissance", naissance), ("communeNaissance", "Lyon"),
         ("adresse", "3 rue des Lilas"), ("codePostal", "69003"), ("commune", "Lyon"), ("courriel", "lea@exemple.fr")]
    }

    @Test("établissement: the entry form's errors beside their fields, a brouillon, a refused then accepted validation, its PDF, pièces, exports, papillon")
    func etablissement() async throws {
        try await InscriptionEnAval.avec { inscription in
            try await WebBanc.avec(services: ["inscription": inscription.url], timeoutMs: Self.delai) { banc in
                let session = inscription.session
                let (navigateur, _) = try await Self.connecte(banc, .etablissement, habilitations: ["uai:\(inscription.cfa)"])
                let csrf = try await navigateur.csrf()

                let formulaire = try await navigateur.get("/etablissement/inscription/\(session)/nouvelle")
                #expect(formulaire.status == .ok, "\(formulaire.texte.prefix(2000))")
                #expect(formulaire.texte.contains(#"<option value="COIFFURE">Coiffure (COIFFURE)</option>"#))
                #expect(formulaire.texte.contains(#"name="option.COIFFURE.E3" value="U30A""#))
                #expect(formulaire.texte.contains(#"<label class="champ__libelle" for="champ-nomFamille">Nom de famille"#))
                #expect(formulaire.texte.contains(inscription.cfa))
                #expect(formulaire.texte.contains(#"aria-current="page">Candidatures</a>"#))

                // The service's refusals, field by field, next to their fields.
                let choix: [(String, String)] = [("options-presentes", "1"), ("categorie", "apprenti"), ("uai", inscription.cfa),
                                                 ("specialite", "COIFFURE"), ("forme", "globale")]
                var fautive = Self.identite(nom: "")
                fautive[6] = ("codePostal", "6900")
                let refus = try await navigateur.post("/etablissement/inscription/\(session)/nouvelle", fautive + choix, csrf: csrf)
                #expect(refus.status == .unprocessableContent)
                #expect(refus.texte.contains(#"<p class="champ__erreur" id="champ-nomFamille-erreur"><span class="champ__erreur-prefixe">Erreur : </span>Le nom de famille est obligatoire.</p>"#),
                        "\(refus.texte)")
                #expect(refus.texte.contains(#"id="champ-codePostal-erreur""#))
                #expect(refus.texte.contains("Code postal « 6900 » invalide : 5 chiffres."))
                #expect(refus.texte.contains(#"value="Lyon""#), "what was typed stays")

                // A brouillon without its option: validation refused, the rule named.
                let cree = try await navigateur.post("/etablissement/inscription/\(session)/nouvelle", Self.identite(nom: "Martin") + choix, csrf: csrf)
                #expect(cree.status == .seeOther, "\(cree.texte)")
                let id = try Self.id(cree.location)
                #expect(cree.location == "/etablissement/candidatures/\(id)?fait=creee")
                let brouillon = try await navigateur.get(try #require(cree.location))
                #expect(brouillon.status == .ok)
                #expect(brouillon.texte.contains("Brouillon"))
                #expect(brouillon.texte.contains(#"action="/etablissement/candidatures/\#(id)/validation""#))
                let invalide = try await navigateur.post("/etablissement/candidatures/\(id)/validation", [], csrf: csrf)
                #expect(invalide.status == .unprocessableContent)
                #expect(invalide.texte.contains("La candidature n&#39;a pas été validée."))
                #expect(invalide.texte.contains("se passe au choix"))

                // Changed, then validated: units, a confirmation whose name the download keeps.
                let change = try await navigateur.post(
                    "/etablissement/candidatures/\(id)/modification",
                    Self.identite(nom: "Martin") + choix + [("option.COIFFURE.E3", "U30A"), ("facultative.COIFFURE", "UF1")], csrf: csrf)
                #expect(change.status == .seeOther, "\(change.texte)")
                let valide = try await navigateur.post("/etablissement/candidatures/\(id)/validation", [], csrf: csrf)
                #expect(valide.status == .seeOther, "\(valide.texte)")
                #expect(valide.location == "/etablissement/candidatures/\(id)?fait=validee")
                let page = try await navigateur.get("/etablissement/candidatures/\(id)").texte
                #expect(page.contains("Validée"))
                #expect(page.contains(#"<th scope="row">U30A</th>"#))
                #expect(page.contains("Présentée (CCF)"), "U40 in CCF for an apprentice of a habilitated CFA")
                #expect(page.contains("Validation (signature)"))
                let numero = try #require(page.firstMatch(of: /Candidature n° ([0-9]+)/)).1
                let pdf = try await navigateur.get("/etablissement/candidatures/\(id)/confirmation.pdf")
                #expect(pdf.status == .ok)
                #expect(pdf.headers[.contentType] == "application/pdf")
                #expect(pdf.headers[.contentDisposition]?.contains("confirmation-\(numero).pdf") == true)
                #expect(pdf.octets.starts(with: Array("%PDF-".utf8)))
                let api = try await navigateur.get("/api/v1/inscription/candidatures/\(id)/confirmation")
                #expect(api.status == .ok)
                #expect(api.headers[.contentDisposition]?.contains("confirmation-\(numero).pdf") == true, "forwarding keeps the file name")

                // Pièces: the file sniffed by the service; a text file refused beside the field.
                let depot = try await navigateur.postMultipart(
                    "/etablissement/candidatures/\(id)/pieces", [("type", "IDENTITE")],
                    fichiers: [.init(champ: "fichier", nom: "identite.pdf", type: "application/pdf", octets: InscriptionEnAval.pdf)], csrf: csrf)
                #expect(depot.status == .seeOther, "\(depot.texte)")
                let texte = try await navigateur.postMultipart(
                    "/etablissement/candidatures/\(id)/pieces", [("type", "IDENTITE")],
                    fichiers: [.init(champ: "fichier", nom: "notes.txt", type: "text/plain", octets: Array("bonjour".utf8))], csrf: csrf)
                #expect(texte.status == .unprocessableContent)
                #expect(texte.texte.contains(#"id="champ-fichierPiece-erreur""#))
                #expect(texte.texte.contains("Format refusé"))
                let pieces = try await navigateur.get("/etablissement/candidatures/\(id)").texte
                let piece = try #require(pieces.firstMatch(of: /href="\/etablissement\/pieces\/([0-9A-Fa-f-]+)">identite\.pdf</)).1
                let fichier = try await navigateur.get("/etablissement/pieces/\(piece)")
                #expect(fichier.status == .ok)
                #expect(fichier.headers[.contentDisposition]?.hasPrefix("attachment") == true)
                #expect(fichier.octets == InscriptionEnAval.pdf)

                // The list and its filters, the exports, the statistics.
                let liste = try await navigateur.get("/etablissement/inscription/\(session)?specialite=COIFFURE")
                #expect(liste.status == .ok)
                #expect(liste.texte.contains(#"<a href="/etablissement/candidatures/\#(id)">\#(numero)</a>"#))
                #expect(liste.texte.contains("MARTIN Léa"))
                #expect(liste.texte.contains(#"href="/etablissement/inscription/\#(session)/candidatures.csv?specialite=COIFFURE""#))
                let annulees = try await navigateur.get("/etablissement/inscription/\(session)?etat=annulee")
                #expect(annulees.texte.contains("Aucune candidature ne correspond."))
                #expect(annulees.texte.contains(#"<option value="annulee" selected>Annulée</option>"#))
                let csv = try await navigateur.get("/etablissement/inscription/\(session)/candidatures.csv")
                #expect(csv.status == .ok)
                #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
                #expect(csv.headers[.contentDisposition]?.contains("candidatures-\(session).csv") == true)
                #expect(csv.texte.contains(String(numero)))
                let statistiques = try await navigateur.get("/etablissement/inscription/\(session)/statistiques?par=categorie")
                #expect(statistiques.status == .ok)
                #expect(statistiques.texte.contains(#"<th scope="row">Apprenti</th><td>0</td><td>1</td>"#), "\(statistiques.texte)")

                // His papillon: identifiant = numéro candidat, name NOM Prénoms.
                let papillon = try await navigateur.post("/etablissement/candidatures/\(id)/papillon", [], csrf: csrf)
                #expect(papillon.status == .ok)
                #expect(papillon.texte.contains(#"<dd class="papillon__code">\#(numero)</dd>"#))
                #expect(papillon.texte.contains("<strong>MARTIN Léa</strong>"))
                let compte = try #require(try await banc.identity.accounts.credentials(login: String(numero))?.account)
                #expect(compte.role == .candidat && compte.scopes.contains("uai:\(inscription.cfa)"))

                // Another établissement sees none of it.
                let (autre, _) = try await Self.connecte(banc, .etablissement, habilitations: ["uai:\(inscription.autre)"])
                #expect(try await autre.get("/etablissement/inscription/\(session)").texte.contains("0 candidature(s) trouvée(s)"))
                #expect(try await autre.get("/etablissement/candidatures/\(id)").status == .forbidden)
            }
        }
    }

    @Test("CSV import: the dry run lists every error by line and writes nothing; the real run registers the valid lines; a replay changes nothing")
    func importCSV() async throws {
        try await InscriptionEnAval.avec { inscription in
            try await WebBanc.avec(services: ["inscription": inscription.url], timeoutMs: Self.delai) { banc in
                let session = inscription.session
                let (navigateur, _) = try await Self.connecte(banc, .etablissement, habilitations: ["uai:\(inscription.cfa)"])
                let csrf = try await navigateur.csrf()
                let formulaire = try await navigateur.get("/etablissement/inscription/\(session)/import")
                #expect(formulaire.status == .ok)
                #expect(formulaire.texte.contains(#"enctype="multipart/form-data""#))
                #expect(formulaire.texte.contains(#"<label class="champ__libelle" for="champ-fichier">Fichier CSV</label>"#))

                let fichier = """
                    nom_famille;prenoms;sexe;date_naissance;commune_naissance;adresse;code_postal;commune;categorie;specialite;options;forme
                    Durand;Paul;M;12/05/2004;Paris;1 rue A;75001;Paris;apprenti;COIFFURE;U30A;globale
                    Petit;Anne;F;1990-13-45;Paris;1 rue B;75002;Paris;apprenti;COIFFURE;U30B;globale
                    Moreau;Jean;M;03/03/2003;Nantes;1 rue C;44000;Nantes;apprenti;COIFFURE;U30A;globale
                    Leroy;Zoé;X;03/03/2003;Nantes;1 rue D;44000;Nantes;apprenti;COIFFURE;U30A;globale

                    """
                let essai = try await navigateur.postMultipart(
                    "/etablissement/inscription/\(session)/import", [("uai", inscription.cfa)],
                    fichiers: [.init(champ: "fichier", nom: "eleves.csv", type: "text/csv", octets: Array(fichier.utf8))], csrf: csrf)
                #expect(essai.status == .ok, "\(essai.texte.prefix(3000))")
                #expect(essai.texte.contains("rien n'a encore été importé"))
                #expect(essai.texte.contains("4 ligne(s) lue(s) : 2 valide(s), 2 en erreur."))
                #expect(essai.texte.contains(#"<tr><th scope="row">3</th><td>date_naissance</td>"#), "\(essai.texte)")
                #expect(essai.texte.contains(#"<tr><th scope="row">5</th><td>sexe</td>"#))
                #expect(try await navigateur.get("/etablissement/inscription/\(session)").texte.contains("0 candidature(s) trouvée(s)"),
                        "a dry run writes nothing")

                let contenu = String(try #require(essai.texte.firstMatch(of: /name="contenu" value="([A-Za-z0-9+\/=]+)"/)).1)
                let reel = try await navigateur.post(
                    "/etablissement/inscription/\(session)/import/execution",
                    [("uai", inscription.cfa), ("fichier", "eleves.csv"), ("contenu", contenu)], csrf: csrf)
                #expect(reel.status == .ok, "\(reel.texte.prefix(3000))")
                #expect(reel.texte.contains("Import terminé."))
                #expect(reel.texte.contains("2 candidature(s) enregistrée(s)"))
                let liste = try await navigateur.get("/etablissement/inscription/\(session)").texte
                #expect(liste.contains("2 candidature(s) trouvée(s)"))
                #expect(liste.contains("DURAND Paul") && liste.contains("MOREAU Jean"))

                let rejoue = try await navigateur.post(
                    "/etablissement/inscription/\(session)/import/execution",
                    [("uai", inscription.cfa), ("fichier", "eleves.csv"), ("contenu", contenu)], csrf: csrf)
                #expect(rejoue.texte.contains("0 candidature(s) enregistrée(s)"))
                #expect(rejoue.texte.contains("2 candidat(s) déjà inscrit(s)"))

                // A header the service does not know: refused as a whole, the column named.
                let entete = try await navigateur.postMultipart(
                    "/etablissement/inscription/\(session)/import", [("uai", inscription.cfa)],
                    fichiers: [.init(champ: "fichier", nom: "faux.csv", type: "text/csv", octets: Array("nom;couleur\nA;B\n".utf8))], csrf: csrf)
                #expect(entete.status == .unprocessableContent)
                #expect(entete.texte.contains("Colonne « couleur » inconnue."))
                // Another établissement's UAI: refused before anything is sent.
                let ailleurs = try await navigateur.postMultipart(
                    "/etablissement/inscription/\(session)/import", [("uai", inscription.autre)],
                    fichiers: [.init(champ: "fichier", nom: "eleves.csv", type: "text/csv", octets: Array(fichier.utf8))], csrf: csrf)
                #expect(ailleurs.status == .unprocessableContent)
                #expect(ailleurs.texte.contains(#"id="champ-uai-erreur""#))
            }
        }
    }

    @Test("Grand Public: own account, the four-step wizard, the confirmation, an aménagement request; the gestionnaire's desk grants it")
    func grandPublic() async throws {
        try await InscriptionEnAval.avec { inscription in
            try await WebBanc.avec(services: ["inscription": inscription.url], timeoutMs: Self.delai) { banc in
                let session = inscription.session
                // The account, opened and activated through the pages.
                let candidat = banc.navigateur()
                let login = WebBanc.unique("gp.")
                let courriel = "\(login)@exemple.fr"
                var csrf = try await candidat.csrf()
                #expect(try await candidat.post("/creer-compte", [("identifiant", login), ("nom", "Chloé Bernard"), ("courriel", courriel)], csrf: csrf)
                    .status == .seeOther)
                let mail = try #require(try banc.courriels(pour: courriel).last)
                let jeton = try Passerelle.jetonDuLien(mail.body)
                let active = try await candidat.post("/activation", [("jeton", jeton), ("motDePasse", WebBanc.motDePasse), ("confirmation", WebBanc.motDePasse)], csrf: csrf)
                #expect(active.status == .seeOther, "\(active.texte)")
                #expect(try await candidat.connexion(login, WebBanc.motDePasse).location == "/candidat")
                csrf = try await candidat.csrf()

                // Step 1: identity (the e-mail of the account already there).
                let etape1 = try await candidat.get("/candidat/inscription?session=\(session)")
                #expect(etape1.status == .ok, "\(etape1.texte.prefix(2000))")
                #expect(etape1.texte.contains(#"<li aria-current="step">Identité</li>"#))
                #expect(etape1.texte.contains(#"<input type="hidden" name="session" value="\#(session)">"#))
                #expect(etape1.texte.contains(#"value="\#(courriel)""#))
                let manque = try await candidat.post("/candidat/inscription/identite", [("session", session), ("nomFamille", "")], csrf: csrf)
                #expect(manque.status == .unprocessableContent)
                #expect(manque.texte.contains(#"id="champ-nomFamille-erreur""#))
                #expect(manque.texte.contains("Saisissez le nom de famille."))
                let identite = Self.identite(nom: "Bernard", prenoms: "Chloé", naissance: "1990-07-01")
                let etape2 = try await candidat.post("/candidat/inscription/identite", [("session", session)] + identite, csrf: csrf)
                #expect(etape2.status == .ok)
                #expect(etape2.texte.contains(#"<li aria-current="step">Spécialité et forme</li>"#))
                #expect(etape2.texte.contains(#"<input type="hidden" name="nomFamille" value="Bernard">"#))
                #expect(etape2.texte.contains(#"name="facultative.COIFFURE" value="UF1""#))
                #expect(!etape2.texte.contains(#"name="categorie""#), "a candidate registers as individuel, no choice")

                // Back to step 1 keeps everything; a missing spécialité is said beside its field.
                let retour = try await candidat.post("/candidat/inscription/choix", [("session", session), ("precedent", "1"), ("specialite", "COIFFURE")] + identite, csrf: csrf)
                #expect(retour.texte.contains(#"<li aria-current="step">Identité</li>"#))
                #expect(retour.texte.contains(#"value="Bernard""#))
                #expect(retour.texte.contains(#"<input type="hidden" name="specialite" value="COIFFURE">"#))
                let sansSpecialite = try await candidat.post("/candidat/inscription/choix", [("session", session), ("options-presentes", "1"), ("forme", "globale")] + identite, csrf: csrf)
                #expect(sansSpecialite.status == .unprocessableContent)
                #expect(sansSpecialite.texte.contains("Choisissez la spécialité."))

                // Step 2 → the brouillon; step 3: the récapitulatif, certified, validated.
                let brouillon = try await candidat.post(
                    "/candidat/inscription/choix",
                    [("session", session), ("options-presentes", "1"), ("specialite", "COIFFURE"), ("option.COIFFURE.E3", "U30B"),
                     ("facultative.COIFFURE", "UF1"), ("forme", "progressive")] + identite, csrf: csrf)
                #expect(brouillon.status == .seeOther, "\(brouillon.texte)")
                let id = try Self.id(brouillon.location)
                #expect(brouillon.location == "/candidat/inscription/\(id)")
                let recapitulatif = try await candidat.get("/candidat/inscription/\(id)")
                #expect(recapitulatif.status == .ok)
                #expect(recapitulatif.texte.contains(#"<li aria-current="step">Récapitulatif</li>"#))
                #expect(recapitulatif.texte.contains("U30B — Coupe homme et entretien pilo-facial"))
                #expect(recapitulatif.texte.contains("UF1 — Langue vivante étrangère"))
                #expect(recapitulatif.texte.contains("Forme progressive"))
                #expect(recapitulatif.texte.contains("Pièce d&#39;identité (obligatoire)"))
                let nonCertifie = try await candidat.post("/candidat/inscription/\(id)/validation", [], csrf: csrf)
                #expect(nonCertifie.status == .unprocessableContent)
                #expect(nonCertifie.texte.contains(#"id="champ-certifie-erreur""#))
                let validee = try await candidat.post("/candidat/inscription/\(id)/validation", [("certifie", "oui")], csrf: csrf)
                #expect(validee.status == .seeOther, "\(validee.texte)")
                #expect(validee.location == "/candidat/inscription/\(id)/validee")
                let etape4 = try await candidat.get("/candidat/inscription/\(id)/validee")
                #expect(etape4.texte.contains(#"<li aria-current="step">Validation</li>"#))
                #expect(etape4.texte.contains("est validée"))
                #expect(etape4.texte.contains(#"href="/candidat/candidatures/\#(id)/confirmation.pdf""#))
                let pdf = try await candidat.get("/candidat/candidatures/\(id)/confirmation.pdf")
                #expect(pdf.status == .ok && pdf.octets.starts(with: Array("%PDF-".utf8)))

                // His space lists it; the wizard does not offer a second one.
                let espace = try await candidat.get("/candidat?session=\(session)")
                #expect(espace.texte.contains(#"<a href="/candidat/candidatures/\#(id)">"#))
                #expect(espace.texte.contains("Validée"))
                #expect(try await candidat.get("/candidat/inscription?session=\(session)").texte.contains("Vous avez déjà une candidature"))

                // An aménagement: the medical opinion uploaded with the request.
                let incomplete = try await candidat.postMultipart("/candidat/candidatures/\(id)/amenagements", [("types", "temps_majore")], fichiers: [], csrf: csrf)
                #expect(incomplete.status == .unprocessableContent)
                #expect(incomplete.texte.contains(#"id="champ-motifAmenagement-erreur""#))
                #expect(incomplete.texte.contains(#"id="champ-fichierAvis-erreur""#))
                let demande = try await candidat.postMultipart(
                    "/candidat/candidatures/\(id)/amenagements",
                    [("types", "temps_majore"), ("types", "salle_separee"), ("motif", "Trouble reconnu par la MDPH.")],
                    fichiers: [.init(champ: "fichier", nom: "avis.pdf", type: "application/pdf", octets: InscriptionEnAval.pdf)], csrf: csrf)
                #expect(demande.status == .seeOther, "\(demande.texte)")
                let apresDemande = try await candidat.get("/candidat/candidatures/\(id)").texte
                #expect(apresDemande.contains("Majoration du temps, Salle séparée"))
                #expect(apresDemande.contains("Demandé"))

                // The gestionnaire's desk: a refusal without motivation is said; the grant goes through.
                let (gestionnaire, _) = try await Self.connecte(banc, .gestionnaire, nom: "Dominique Pilote")
                let gcsrf = try await gestionnaire.csrf()
                let guichet = try await gestionnaire.get("/gestionnaire/sessions/\(session)/amenagements")
                #expect(guichet.status == .ok, "\(guichet.texte.prefix(2000))")
                #expect(guichet.texte.contains("BERNARD Chloé"))
                let amenagement = String(try #require(guichet.texte.firstMatch(of: /action="\/gestionnaire\/amenagements\/([0-9A-Fa-f-]+)\/decision"/)).1)
                let sansMotif = try await gestionnaire.post("/gestionnaire/amenagements/\(amenagement)/decision", [("session", session), ("decision", "refuse")], csrf: gcsrf)
                #expect(sansMotif.status == .unprocessableContent)
                #expect(sansMotif.texte.contains("Un refus est motivé."))
                let accorde = try await gestionnaire.post(
                    "/gestionnaire/amenagements/\(amenagement)/decision",
                    [("session", session), ("decision", "accorde"), ("mesures", "temps_majore"), ("majoration", "33"), ("motivation", "")], csrf: gcsrf)
                #expect(accorde.status == .seeOther, "\(accorde.texte)")
                #expect(try await gestionnaire.get(try #require(accorde.location)).texte.contains("La décision est enregistrée"))
                let accordee = try await candidat.get("/candidat/candidatures/\(id)").texte
                #expect(accordee.contains("Majoration du temps (+33 %)"))
                #expect(accordee.contains("Accordé"))

                // The gestionnaire's list, filters, statistics, export, regeneration, pièce decision.
                let avec = try await gestionnaire.get("/gestionnaire/sessions/\(session)/candidatures?amenagement=oui")
                #expect(avec.status == .ok)
                #expect(avec.texte.contains(#"href="/gestionnaire/candidatures/\#(id)""#))
                #expect(avec.texte.contains(#"<option value="oui" selected>Demandé</option>"#))
                #expect(!(try await gestionnaire.get("/gestionnaire/sessions/\(session)/candidatures?amenagement=non").texte
                    .contains(#"href="/gestionnaire/candidatures/\#(id)""#)))
                let parSpecialite = try await gestionnaire.get("/gestionnaire/sessions/\(session)/inscriptions/statistiques?par=specialite")
                #expect(parSpecialite.texte.contains(#"<th scope="row">COIFFURE</th>"#))
                let csv = try await gestionnaire.get("/gestionnaire/sessions/\(session)/candidatures.csv?categorie=individuel")
                #expect(csv.status == .ok)
                #expect(csv.texte.contains("Bernard"))
                let regeneration = try await gestionnaire.post("/gestionnaire/sessions/\(session)/confirmations/regeneration", [], csrf: gcsrf)
                #expect(regeneration.status == .seeOther)
                #expect(try await gestionnaire.get(try #require(regeneration.location)).texte.contains("Confirmations régénérées"))
                let dossier = try await gestionnaire.get("/gestionnaire/candidatures/\(id)").texte
                let avis = String(try #require(dossier.firstMatch(of: /action="\/gestionnaire\/pieces\/([0-9A-Fa-f-]+)\/decision"/)).1)
                let acceptee = try await gestionnaire.post("/gestionnaire/pieces/\(avis)/decision", [("candidature", id), ("statut", "acceptee")], csrf: gcsrf)
                #expect(acceptee.status == .seeOther)
                #expect(try await gestionnaire.get("/gestionnaire/candidatures/\(id)").texte.contains("Acceptée"))

                // The candidate cannot reach the desk; an établissement cannot read his file.
                #expect(try await candidat.get("/gestionnaire/sessions/\(session)/amenagements").status == .forbidden)
                let (etablissement, _) = try await Self.connecte(banc, .etablissement, habilitations: ["uai:\(inscription.cfa)"])
                #expect(try await etablissement.get("/etablissement/candidatures/\(id)").status == .forbidden)
            }
        }
    }

    @Test("the consent to the publication of the name: a labelled checkbox kept on a refusal, shown on the candidature, changed by a modification; the wizard carries it")
    func consentementPublication() async throws {
        try await InscriptionEnAval.avec { inscription in
            try await WebBanc.avec(services: ["inscription": inscription.url], timeoutMs: Self.delai) { banc in
                let session = inscription.session
                let (navigateur, _) = try await Self.connecte(banc, .etablissement, habilitations: ["uai:\(inscription.cfa)"])
                let csrf = try await navigateur.csrf()
                let case_ = #"<input type="checkbox" id="champ-consentementPublication" name="consentementPublication" value="oui""#
                let libelle = #"<label for="champ-consentementPublication">Le candidat accepte que son nom soit publié avec son résultat (site public des résultats, organismes habilités).</label>"#

                let formulaire = try await navigateur.get("/etablissement/inscription/\(session)/nouvelle").texte
                #expect(formulaire.contains(case_ + #" aria-describedby="champ-consentementPublication-aide">"#), "\(formulaire)")
                #expect(formulaire.contains(libelle))
                #expect(formulaire.contains(#"<input type="hidden" name="consentement-present" value="1">"#))

                // Refused by the service for another field: the box stays ticked.
                let choix: [(String, String)] = [("options-presentes", "1"), ("categorie", "apprenti"), ("uai", inscription.cfa),
                                                 ("specialite", "COIFFURE"), ("option.COIFFURE.E3", "U30A"), ("forme", "globale"),
                                                 ("consentement-present", "1")]
                var fautive = Self.identite(nom: "Fabre")
                fautive[6] = ("codePostal", "6900")
                let refus = try await navigateur.post("/etablissement/inscription/\(session)/nouvelle",
                                                      fautive + choix + [("consentementPublication", "oui")], csrf: csrf)
                #expect(refus.status == .unprocessableContent)
                #expect(refus.texte.contains(case_ + " checked"), "\(refus.texte)")
                let sansCase = try await navigateur.post("/etablissement/inscription/\(session)/nouvelle", fautive + choix, csrf: csrf)
                #expect(sansCase.status == .unprocessableContent)
                #expect(!sansCase.texte.contains(case_ + " checked"))

                // Registered with it: the candidature's page says so.
                let cree = try await navigateur.post("/etablissement/inscription/\(session)/nouvelle",
                                                     Self.identite(nom: "Fabre") + choix + [("consentementPublication", "oui")], csrf: csrf)
                #expect(cree.status == .seeOther, "\(cree.texte)")
                let id = try Self.id(cree.location)
                let oui = #"<dt>Publication du nom avec le résultat</dt><dd>Oui</dd>"#
                let non = #"<dt>Publication du nom avec le résultat</dt><dd>Non</dd>"#
                #expect(try await navigateur.get("/etablissement/candidatures/\(id)").texte.contains(oui))
                #expect(try await navigateur.post("/etablissement/candidatures/\(id)/validation", [], csrf: csrf).status == .seeOther)

                // The modification shows it ticked; unticked, it is withdrawn (a new revision, in the history).
                let modification = try await navigateur.get("/etablissement/candidatures/\(id)/modification")
                #expect(modification.status == .ok)
                #expect(modification.texte.contains(case_ + " checked"))
                let retire = try await navigateur.post("/etablissement/candidatures/\(id)/modification", Self.identite(nom: "Fabre") + choix, csrf: csrf)
                #expect(retire.status == .seeOther, "\(retire.texte)")
                let page = try await navigateur.get("/etablissement/candidatures/\(id)").texte
                #expect(page.contains(non))
                #expect(page.contains("Modifiée"))
                #expect(page.contains("<li>Publication du nom avec le résultat : oui → non</li>"), "\(page)")

                // The candidate's wizard: his own words, carried from step to step.
                let (candidat, _) = try await Self.connecte(banc, .candidat, nom: "Inès Roux")
                let ccsrf = try await candidat.csrf()
                let identite = Self.identite(nom: "Roux", prenoms: "Inès", naissance: "1991-02-03")
                let etape2 = try await candidat.post("/candidat/inscription/identite", [("session", session)] + identite, csrf: ccsrf)
                #expect(etape2.status == .ok)
                #expect(etape2.texte.contains(#"<label for="champ-consentementPublication">J&#39;accepte que mon nom soit publié avec mon résultat (site public des résultats, organismes habilités).</label>"#),
                        "\(etape2.texte)")
                let gp: [(String, String)] = [("session", session), ("options-presentes", "1"), ("specialite", "COIFFURE"),
                                              ("option.COIFFURE.E3", "U30B"), ("forme", "globale"), ("consentement-present", "1"),
                                              ("consentementPublication", "oui")]
                let retour = try await candidat.post("/candidat/inscription/choix", gp + [("precedent", "1")] + identite, csrf: ccsrf)
                #expect(retour.texte.contains(#"<input type="hidden" name="consentementPublication" value="oui">"#), "\(retour.texte)")
                let retourEtape2 = try await candidat.post(
                    "/candidat/inscription/identite", [("session", session), ("specialite", "COIFFURE"), ("consentementPublication", "oui")] + identite, csrf: ccsrf)
                #expect(retourEtape2.texte.contains(case_ + " checked"))
                let brouillon = try await candidat.post("/candidat/inscription/choix", gp + identite, csrf: ccsrf)
                #expect(brouillon.status == .seeOther, "\(brouillon.texte)")
                let recapitulatif = try await candidat.get(try #require(brouillon.location)).texte
                #expect(recapitulatif.contains(#"<dt>Publication de mon nom avec mon résultat</dt><dd>Oui</dd>"#), "\(recapitulatif)")
            }
        }
    }

    @Test("the CSV import page documents the consent's column")
    func importConsentement() async throws {
        try await InscriptionEnAval.avec { inscription in
            try await WebBanc.avec(services: ["inscription": inscription.url], timeoutMs: Self.delai) { banc in
                let (navigateur, _) = try await Self.connecte(banc, .etablissement, habilitations: ["uai:\(inscription.cfa)"])
                let page = try await navigateur.get("/etablissement/inscription/\(inscription.session)/import").texte
                #expect(page.contains(";forme;consentement_publication</pre>"))
                #expect(page.contains("La colonne consentement_publication, facultative"))
            }
        }
    }

    @Test("a session the service does not know, and the service down: French error pages, no stack trace")
    func indisponible() async throws {
        try await WebBanc.avec { banc in
            let (navigateur, _) = try await Self.connecte(banc, .etablissement, habilitations: ["uai:0750655E"])
            let page = try await navigateur.get("/etablissement/inscription/BP-2031-06-N")
            #expect(page.status == .badGateway)
            #expect(page.texte.contains("Le service inscription ne répond pas."))
            #expect(try await navigateur.get("/etablissement/inscription/pas-une-session").status == .notFound)
            let sessions = try await navigateur.get("/etablissement/inscription")
            #expect(sessions.status == .ok)
            #expect(sessions.texte.contains("Aucune session ouverte n'est connue pour le moment."))
            let (candidat, _) = try await Self.connecte(banc, .candidat)
            let assistant = try await candidat.get("/candidat/inscription")
            #expect(assistant.status == .ok)
            #expect(assistant.texte.contains("ne sont pas ouvertes pour le moment"))
        }
    }
}
