import Contracts
import Domain
import Foundation
import HTTPTypes
import Messaging
@testable import Publication
import Referentiel
import ServiceKit
import Storage
import Synchronization
import Testing
import TestSupport
@testable import Gateway

/// The public results site, against the live Publication service: the pages precomputed from what
/// it released, nothing before; names only with consent; the lookup by numéro and birth date;
/// caching, validation and the rate limit.
@Suite("Gateway: the public results site", .serialized)
struct ResultatsPublicsTests {
    final class Boite: Sendable {
        let database = Mutex<Database?>(nil)
    }

    @Test("nothing before the release; then the lists (consented names only, ETag) and each candidate's own lookup")
    func site() async throws {
        let code = try await SessionsDeTest.reserver(annees: 2030...2099)
        let session = try SessionCode(code)
        let boite = Boite()
        try await AggregateSourcesTests.enService(PublicationService.self, preparer: { database in
            boite.database.withLock { $0 = database }
        }) { publication in
            let database = try #require(boite.database.withLock { $0 })
            let referentiel = ReferentielReglementation(database: database)
            let liberation = Liberation(database: database)
            let copie = CopieRepository(database: database, referentiel: referentiel, liberation: liberation)
            let outbox = OutboxWriter(database: database, producer: "publication")
            let (lea, paul) = (try Self.candidature(session, "Martin", consentement: true), try Self.candidature(session, "Durand", consentement: false))
            let resultats = [Self.resultat(lea, "admis"), Self.resultat(paul, "admis")]
            try await database.transaction { connection in
                try await referentiel.enregistrer(
                    SessionOuverte(session: session, academie: "A13", libelle: "Session de juin (test)", ouvertePar: "test"), on: connection)
                try await copie.enregistrer([lea, paul], on: connection)
                _ = try await copie.enregistrer(resultats.map { ($0, Date()) }, on: connection)
                try await copie.enregistrer(JuryClos(
                    session: session, jury: "J01", specialite: "BOULANGER", candidats: 2, admis: 2, versionPV: 1, closPar: "p",
                    resultats: resultats.map(JuryClos.Arrete.init)), le: Date(), on: connection)
            }

            try await Passerelle.avec(services: ["publication": publication], environnement: ["CYCLADES_PUBLIC_LOOKUPS_PER_MINUTE": "5"]) { p in
                let liste = "/resultats/\(code)/BOULANGER"
                let consultation = "/resultats/consultation?numero=\(lea.numero.lowercased())&naissance=02/03/2004"
                // Under embargo: the site knows nothing of the session.
                try await p.components.rafraichissement.rafraichir()
                #expect(try await p.appel(.get, liste).status == .notFound)
                #expect(try await p.appel(.get, consultation).texte.contains("Aucun résultat publié ne correspond"))
                #expect(!(try await p.appel(.get, "/resultats").texte.contains(code)))

                try await database.transaction { connection in
                    try await referentiel.ouvrir(.publication, session: session, on: connection)
                    _ = try await liberation.verifier(session, on: connection, outbox: outbox)
                }
                try await p.components.rafraichissement.rafraichir()

                let accueil = try await p.appel(.get, "/resultats")
                #expect(accueil.status == .ok)
                #expect(accueil.texte.contains(liste))
                let admis = try await p.appel(.get, liste)
                #expect(admis.status == .ok)
                #expect(admis.texte.contains("Martin") && !admis.texte.contains("Durand"), "a name only with consent")
                #expect(admis.texte.contains("1 candidat(s) admis n&#39;ont pas souhaité") || admis.texte.contains("1 candidat(s) admis n'ont pas souhaité"))
                #expect(admis.headers[.cacheControl] == "public, max-age=60")
                let etag = try #require(admis.headers[.eTag])
                #expect(try await p.appel(.get, liste, headers: [.ifNoneMatch: etag]).status == .notModified)

                // The candidate's own lookup, with either date format; the lowercase numéro is his.
                let trouve = try await p.appel(.get, consultation)
                #expect(trouve.status == .ok)
                #expect(trouve.texte.contains("Décision du jury : Admis") && trouve.texte.contains("Martin"))
                #expect(trouve.headers[.cacheControl] == "private, no-store")
                let anonyme = try await p.appel(.get, "/resultats/consultation?numero=\(paul.numero)&naissance=2004-03-02")
                #expect(anonyme.texte.contains("Candidat n° \(paul.numero)") && !anonyme.texte.contains("Durand"))
                let fausse = try await p.appel(.get, "/resultats/consultation?numero=\(lea.numero)&naissance=03/03/2004")
                #expect(fausse.texte.contains("Aucun résultat publié ne correspond"))
                let invalide = try await p.appel(.get, "/resultats/consultation?numero=\(lea.numero)&naissance=31/02/2004")
                #expect(invalide.status == .unprocessableContent)
                #expect(invalide.texte.contains("format JJ/MM/AAAA"))
                // Five lookups a minute from one address (this test's setting, the invalid one counted): the sixth waits.
                let sixieme = try await p.appel(.get, consultation)
                #expect(sixieme.status == .tooManyRequests)
                #expect(sixieme.headers[.retryAfter] == "60")

                // Fin de session: Léa's documents on her page, her relevé downloaded, its code
                // checked by a third party on the public page.
                _ = try await DocumentRepository(database: database).generer(session, outbox: OutboxWriter(database: database, producer: "publication"))
                try await database.transaction { connection in
                    try await EspaceRepository(database: database).publier(AmenagementDecide(
                        demande: UUID(), candidature: lea.id, numero: lea.numero, session: session, etablissement: nil, decision: .accorde,
                        mesures: [MesureAmenagement(type: .salleSeparee)], motivation: nil, decidePar: "g"), le: Date(), on: connection,
                        outbox: OutboxWriter(database: database, producer: "publication"))
                }
                let candidat = try await p.jeton(try await p.compte(.candidat, habilitations: ["candidat:\(lea.numero)"]))
                let dossier = try await p.appel(.get, "/candidat", jeton: candidat)
                #expect(dossier.status == .ok)
                #expect(dossier.texte.contains("Mes documents") && dossier.texte.contains("Relevé de notes"))
                let lien = try #require(dossier.texte.firstMatch(of: /href="(\/candidat\/documents\/[0-9A-Fa-f\-]+)">Relevé/)?.1)
                let releve = try await p.appel(.get, String(lien), jeton: candidat)
                #expect(releve.status == .ok && releve.headers[.contentType] == "application/pdf")
                // The documents space on her page: the aménagement answer, downloadable, and its notification.
                #expect(dossier.texte.contains("Aménagement d&#39;épreuves : demande accordé") || dossier.texte.contains("Aménagement d'épreuves : demande accordé"))
                #expect(dossier.texte.contains("Mes notifications") && dossier.texte.contains("Nouveau document"))
                let reponse = try #require(dossier.texte.firstMatch(of: /href="(\/candidat\/espace\/[0-9A-Fa-f\-]+)"/)?.1)
                let pdfReponse = try await p.appel(.get, String(reponse), jeton: candidat)
                #expect(pdfReponse.status == .ok && pdfReponse.headers[.contentType] == "application/pdf")
                let code = try #require(dossier.texte.firstMatch(of: /code de vérification ([0-9A-Z\-]{19})/)?.1)
                let verification = try await p.appel(.get, "/verification?code=\(code.replacingOccurrences(of: "-", with: "").lowercased())")
                #expect(verification.status == .ok)
                #expect(verification.texte.contains("Martin Camille") && verification.texte.contains("document authentique"))
                #expect(!verification.texte.contains(lea.numero), "nothing but the holder, the spécialité and the session")
                #expect(try await p.appel(.get, "/verification?code=ABC").status == .unprocessableContent)
                #expect(try await p.appel(.get, "/verification?code=0000-0000-0000-0000").status == .notFound)
                #expect(try await p.appel(.get, "/verification").status == .ok)
                let autre = try await p.jeton(try await p.compte(.candidat, habilitations: ["candidat:\(paul.numero)"]))
                #expect(try await p.appel(.get, String(lien), jeton: autre).status == .notFound, "another's document: not his to see")
            }
        }
    }

    static func candidature(_ session: SessionCode, _ nom: String, consentement: Bool) throws -> CandidatureEtat {
        CandidatureEtat(
            id: UUID(), numero: "W" + UUID().uuidString.prefix(8), session: session,
            candidat: IdentiteCandidat(nomFamille: nom, nomUsage: nil, prenoms: "Camille", sexe: .feminin, dateNaissance: "2004-03-02",
                                       communeNaissance: "Aix", ine: nil),
            categorie: .apprenti, categorieReglementaire: .apprentiCFAHabilite, etablissement: nil, specialite: "BOULANGER",
            reglementVersion: 1, forme: .globale, unites: [], amenagements: [], consentementPublication: consentement, revision: 1)
    }

    static func resultat(_ candidature: CandidatureEtat, _ decision: String, jury: String = "J01") -> ResultatArrete {
        ResultatArrete(
            session: candidature.session, candidature: candidature.id, numero: candidature.numero, specialite: "BOULANGER", jury: jury,
            decision: decision, moyenne: "12.00", decisionDuJury: false, unites: [], acquis: [], reportables: [],
            attestationDeReussite: false, sessionDeRemplacement: false, revision: 1)
    }
}

/// The gestionnaire's publication page, through the gateway, against the live Publication service.
@Suite("Pages web : la publication des résultats")
struct WebPublicationTests {
    @Test("the page shows the embargo, then the écarts naming candidate and jury; reconciling again after the fix releases; roles")
    func page() async throws {
        let code = try await SessionsDeTest.reserver(annees: 2030...2099)
        let session = try SessionCode(code)
        let boite = ResultatsPublicsTests.Boite()
        try await AggregateSourcesTests.enService(PublicationService.self, preparer: { database in
            boite.database.withLock { $0 = database }
        }) { publication in
            let database = try #require(boite.database.withLock { $0 })
            let referentiel = ReferentielReglementation(database: database)
            let copie = CopieRepository(database: database, referentiel: referentiel, liberation: Liberation(database: database))
            let lea = try ResultatsPublicsTests.candidature(session, "Martin", consentement: true)
            let resultat = ResultatsPublicsTests.resultat(lea, "admis", jury: "J07")
            var signe = JuryClos.Arrete(resultat)
            signe.decision = "ajourne"
            try await database.transaction { connection in
                try await referentiel.enregistrer(
                    SessionOuverte(session: session, academie: "A13", libelle: "Session de test", ouvertePar: "test"), on: connection)
                try await copie.enregistrer([lea], on: connection)
                _ = try await copie.enregistrer([(resultat, Date())], on: connection)
                // The PV signed another decision than the result carries.
                try await copie.enregistrer(JuryClos(
                    session: session, jury: "J07", specialite: "BOULANGER", candidats: 1, admis: 0, versionPV: 1, closPar: "p",
                    resultats: [signe]), le: Date(), on: connection)
            }
            try await WebBanc.avec(services: ["publication": publication]) { banc in
                let gestionnaire = try await banc.compte(.gestionnaire)
                let navigateur = banc.navigateur()
                #expect(try await navigateur.connexion(gestionnaire.login, WebBanc.motDePasse).status == .seeOther)
                let page = try await navigateur.get("/gestionnaire/publication?session=\(code)")
                #expect(page.status == .ok, "\(page.texte)")
                #expect(page.texte.contains("Sous embargo"))
                let csrf = try #require(page.csrfField)

                let bloquee = try await navigateur.post("/gestionnaire/publication/verification", [("session", code)], csrf: csrf)
                #expect(bloquee.status == .ok, "\(bloquee.texte)")
                #expect(bloquee.texte.contains("Publication bloquée par le rapprochement"))
                #expect(bloquee.texte.contains("J07") && bloquee.texte.contains(lea.numero))
                #expect(bloquee.texte.contains("Décision différente"))

                // The jury reopened and signed again (version 2), the step opened: reconciling releases.
                try await database.transaction { connection in
                    try await copie.enregistrer(JuryClos(
                        session: session, jury: "J07", specialite: "BOULANGER", candidats: 1, admis: 1, versionPV: 2, closPar: "p",
                        resultats: [JuryClos.Arrete(resultat)]), le: Date(), on: connection)
                    try await referentiel.ouvrir(.publication, session: session, on: connection)
                }
                let publiee = try await navigateur.post("/gestionnaire/publication/verification", [("session", code)], csrf: csrf)
                #expect(publiee.texte.contains("Rapprochement sans écart : les résultats sont publiés."), "\(publiee.texte)")
                #expect(publiee.texte.contains("Publiés le"))

                // Fin de session from the page: generate, hide the diplômes, show them again.
                let documents = try await navigateur.post("/gestionnaire/publication/documents", [("session", code)], csrf: csrf)
                #expect(documents.texte.contains("Documents générés : 1 relevé(s), 1 attestation(s), 1 diplôme(s)"), "\(documents.texte)")
                let masque = try await navigateur.post("/gestionnaire/publication/masquage",
                                                       [("session", code), ("type", "diplome"), ("masque", "oui")], csrf: csrf)
                #expect(masque.texte.contains("Ce type de document est masqué aux candidats."))
                #expect(masque.texte.contains("Rendre visible<span class=\"invisible\"> : Diplômes"))

                let etablissement = banc.navigateur()
                let compte = try await banc.compte(.etablissement, habilitations: ["uai:\(AuthorizationMatrixTests.uai())"])
                #expect(try await etablissement.connexion(compte.login, WebBanc.motDePasse).status == .seeOther)
                #expect(try await etablissement.get("/gestionnaire/publication?session=\(code)").status == .forbidden)
            }
        }
    }
}

/// The établissement's results page, through the gateway, against the live Publication service.
@Suite("Pages web : résultats et documents de l'établissement")
struct WebEtablissementResultatsTests {
    @Test("its students' released results, the CSV extraction, the aménagement answers to relay; another établissement sees none of them")
    func page() async throws {
        let code = try await SessionsDeTest.reserver(annees: 2030...2099)
        let session = try SessionCode(code)
        let uai = AuthorizationMatrixTests.uai()
        let boite = ResultatsPublicsTests.Boite()
        try await AggregateSourcesTests.enService(PublicationService.self, preparer: { database in
            boite.database.withLock { $0 = database }
        }) { publication in
            let database = try #require(boite.database.withLock { $0 })
            let referentiel = ReferentielReglementation(database: database)
            let liberation = Liberation(database: database)
            let copie = CopieRepository(database: database, referentiel: referentiel, liberation: liberation)
            var brouillon = try ResultatsPublicsTests.candidature(session, "Martin", consentement: true)
            brouillon.etablissement = EtablissementInscription(uai: try UAI(uai), nom: "Lycée de test", gestionAutonome: false)
            let lea = brouillon
            let resultat = ResultatsPublicsTests.resultat(lea, "admis")
            try await database.transaction { connection in
                try await referentiel.enregistrer(
                    SessionOuverte(session: session, academie: "A13", libelle: "Session de test", ouvertePar: "test"), on: connection)
                try await copie.enregistrer([lea], on: connection)
                _ = try await copie.enregistrer([(resultat, Date())], on: connection)
                try await copie.enregistrer(JuryClos(
                    session: session, jury: "J01", specialite: "BOULANGER", candidats: 1, admis: 1, versionPV: 1, closPar: "p",
                    resultats: [JuryClos.Arrete(resultat)]), le: Date(), on: connection)
                try await referentiel.ouvrir(.publication, session: session, on: connection)
                try await referentiel.ouvrir(.extractionEtablissement, session: session, on: connection)
                _ = try await liberation.verifier(session, on: connection, outbox: OutboxWriter(database: database, producer: "publication"))
                try await EspaceRepository(database: database).publier(AmenagementDecide(
                    demande: UUID(), candidature: lea.id, numero: lea.numero, session: session, etablissement: try UAI(uai), decision: .refuse,
                    mesures: [], motivation: "Pièce médicale absente.", decidePar: "g"), le: Date(), on: connection,
                    outbox: OutboxWriter(database: database, producer: "publication"))
            }
            try await Passerelle.avec(services: ["publication": publication]) { p in
                let etablissement = try await p.jeton(try await p.compte(.etablissement, habilitations: ["uai:\(uai)"]))
                let page = try await p.appel(.get, "/etablissement/resultats?session=\(code)&uai=\(uai)", jeton: etablissement)
                #expect(page.status == .ok, "\(page.texte)")
                #expect(page.texte.contains(lea.numero) && page.texte.contains("Notes de mes élèves (CSV)"))
                #expect(page.texte.contains("Réponses aux demandes d&#39;aménagement") || page.texte.contains("Réponses aux demandes d'aménagement"))
                let csv = try #require(page.texte.firstMatch(of: /href="(\/etablissement\/resultats\/fichier\?[^"]*quoi=extraction)"/)?.1)
                let fichier = try await p.appel(.get, String(csv).replacingOccurrences(of: "&amp;", with: "&"), jeton: etablissement)
                #expect(fichier.status == .ok && fichier.texte.contains(lea.numero))
                let reponse = try #require(page.texte.firstMatch(of: /href="(\/etablissement\/resultats\/amenagement\?[^"]*)"/)?.1)
                let pdf = try await p.appel(.get, String(reponse).replacingOccurrences(of: "&amp;", with: "&"), jeton: etablissement)
                #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf")

                let autre = try await p.jeton(try await p.compte(.etablissement, habilitations: ["uai:\(AuthorizationMatrixTests.uai())"]))
                let sienne = try await p.appel(.get, "/etablissement/resultats?session=\(code)&uai=\(uai)", jeton: autre)
                #expect(!sienne.texte.contains(lea.numero), "the UAI asked is not his: his own is shown, without Léa")
                #expect(try await p.appel(.get, String(reponse).replacingOccurrences(of: "&amp;", with: "&"), jeton: autre).status == .notFound)
            }
        }
    }
}

/// « Reçoit une notification pour chaque document publié »: the gateway mails it to the
/// recipient's accounts.
@Suite("Gateway: the notice of each document published, mailed")
struct NotificationsDocumentsTests {
    @Test("the candidate's account and the établissement's accounts get the mail; another's account nothing")
    func courriels() async throws {
        try await Passerelle.avec { p in
            let numero = Passerelle.unique("N")
            let uai = AuthorizationMatrixTests.uai()
            let candidat = "\(Passerelle.unique("cand"))@exemple.fr", etablissement = "\(Passerelle.unique("etab"))@exemple.fr"
            let autre = "\(Passerelle.unique("autre"))@exemple.fr"
            _ = try await p.compte(.candidat, habilitations: ["candidat:\(numero)"], courriel: candidat)
            _ = try await p.compte(.etablissement, habilitations: ["uai:\(uai)"], courriel: etablissement)
            _ = try await p.compte(.candidat, habilitations: ["candidat:\(Passerelle.unique("N"))"], courriel: autre)
            let notifications = NotificationsDocuments(database: p.database, mails: p.identity.mails, publicURL: "https://cyclades.exemple.fr")
            let session = try SessionCode("BP-2027-06-N")
            try await p.database.transaction { connection in
                for destinataire in ["candidat:\(numero)", "uai:\(uai)"] {
                    try await notifications.notifier(DocumentPublie(
                        session: session, destinataire: destinataire, document: UUID(), titre: "Convocation, version 2",
                        message: "Nouveau document : Convocation, version 2."), on: connection)
                }
            }
            let recu = try await p.identity.mails.list(recipient: candidat, limit: 5).filter { $0.purpose == "document" }
            #expect(recu.map(\.subject) == ["Cyclades BP — Convocation, version 2"])
            #expect(recu.first?.body.contains("https://cyclades.exemple.fr/candidat") == true)
            let recuEtablissement = try await p.identity.mails.list(recipient: etablissement, limit: 5).filter { $0.purpose == "document" }
            #expect(recuEtablissement.first?.body.contains("/etablissement/resultats?session=BP-2027-06-N") == true)
            #expect(try await p.identity.mails.list(recipient: autre, limit: 5).filter { $0.purpose == "document" }.isEmpty)
        }
    }
}
