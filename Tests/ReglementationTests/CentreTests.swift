import Contracts
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Messaging
import Reglementation
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport

@Suite("Établissements and centres")
struct CentreTests {
    static func fiche(_ uai: String, nom: String = "Lycée des métiers", secteur: String = "public", cfa: Bool = true) -> String {
        #"{"uai":"\#(uai)","nom":"\#(nom)","adresse":"12 rue des Écoles","codePostal":"75005","commune":"Paris","secteur":"\#(secteur)","habilitationCFA":\#(cfa)}"#
    }

    static func creer(_ banc: Banc, _ uai: String, cfa: Bool = true, nom: String = "Lycée des métiers") async throws {
        let reponse = try await banc.appel(.post, "/v1/etablissements", json: fiche(uai, nom: nom, cfa: cfa))
        guard reponse.status == .created else { throw TestStackError("établissement \(uai) not created: \(reponse.texte)") }
    }

    @Test("établissements: create, read, list with filters, change, delete")
    func etablissements() async throws {
        try await Banc.avecService { banc in
            let uai = UAIs.valide()
            let nom = "Lycée \(UUID().uuidString.prefix(8))"
            let cree = try await banc.appel(.post, "/v1/etablissements", json: Self.fiche(uai.lowercased(), nom: nom, secteur: "prive"))
            #expect(cree.status == .created, "\(cree.texte)")
            let etablissement = try cree.json(Etablissement.self)
            #expect(etablissement.uai.value == uai && etablissement.secteur == .prive && etablissement.habilitationCFA && !etablissement.habilitationFPC)
            #expect(try await banc.appel(.post, "/v1/etablissements", json: Self.fiche(uai)).probleme.code == "etablissement.existe")
            #expect(try await banc.appel(.get, "/v1/etablissements/\(uai)", .service).json(Etablissement.self).nom == nom)
            let liste = try await banc.appel(.get, "/v1/etablissements?q=\(nom.replacingOccurrences(of: " ", with: "%20"))&secteur=prive&habilitation=cfa", .admin)
            #expect(try liste.json(PageEtablissements.self).items.map(\.uai.value) == [uai])
            #expect(try await banc.appel(.get, "/v1/etablissements?uai=\(uai)", .admin).json(PageEtablissements.self).total == 1)
            let invalide = try await banc.appel(.post, "/v1/etablissements", json: #"{"uai":"\#(UAIs.valide())","nom":"","adresse":"x","codePostal":"7500","commune":"Paris","secteur":"associatif"}"#)
            #expect(try invalide.probleme.details?.map(\.location) == ["nom", "codePostal", "secteur"])

            let modifie = try await banc.appel(.put, "/v1/etablissements/\(uai)", json: Self.fiche(uai, nom: "\(nom) rénové", cfa: false))
            #expect(try modifie.json(Etablissement.self).nom == "\(nom) rénové")
            #expect(try await banc.appel(.delete, "/v1/etablissements/\(uai)").status == .noContent)
            #expect(try await banc.appel(.delete, "/v1/etablissements/\(uai)").probleme.code == "etablissement.inconnu")
            #expect(try await banc.appel(.get, "/v1/etablissements/\(uai)").status == .notFound)
        }
    }

    @Test("a UAI with a wrong check letter is refused everywhere a UAI enters, and nothing is written")
    func uaiRefuseePartout() async throws {
        try await Banc.avecService { banc in
            let code = try await banc.nouvelleSession()
            let bonne = UAIs.valide()
            try await Self.creer(banc, bonne)
            let fausse = UAIs.mauvaiseLettre(bonne)
            let attendue = bonne.last!
            let centre = #"{"roles":["correction"]}"#
            for (method, uri, json) in [
                (HTTPRequest.Method.post, "/v1/etablissements", Self.fiche(fausse)),
                (.get, "/v1/etablissements/\(fausse)", nil),
                (.put, "/v1/etablissements/\(fausse)", Self.fiche(fausse)),
                (.put, "/v1/etablissements/\(bonne)", Self.fiche(fausse, nom: "Changé")),
                (.delete, "/v1/etablissements/\(fausse)", nil),
                (.get, "/v1/etablissements?uai=\(fausse)", nil),
                (.put, "/v1/sessions/\(code)/centres/\(fausse)", centre),
                (.get, "/v1/sessions/\(code)/centres/\(fausse)", nil),
                (.delete, "/v1/sessions/\(code)/centres/\(fausse)", nil),
                (.get, "/v1/sessions/\(code)/centres?uai=\(fausse)", nil),
            ] as [(HTTPRequest.Method, String, String?)] {
                let reponse = try await banc.appel(method, uri, json: json)
                #expect(reponse.status == .unprocessableContent, "\(method) \(uri)")
                let probleme = try reponse.probleme
                #expect(probleme.code == "uai.lettre_cle", "\(method) \(uri)")
                #expect(probleme.message == "UAI \(fausse) invalide : la lettre clé attendue est \(attendue).", "\(method) \(uri)")
                #expect(probleme.details?.map(\.location) == ["uai"], "\(method) \(uri)")
            }
            #expect(try await banc.database.count("etablissements", where: "uai = '\(fausse)'") == 0)
            #expect(try await banc.appel(.get, "/v1/etablissements/\(bonne)").json(Etablissement.self).nom == "Lycée des métiers", "the refused change left the record as it was")
            #expect(try await banc.database.count("centres", where: "session = '\(code)'") == 0)
        }
    }

    @Test("centres of a session: declared, changed, re-announced, withdrawn, each with its event; the rules refuse by field")
    func centres() async throws {
        try await Banc.avecService { banc in
            let code = try await banc.nouvelleSession()
            let uai = UAIs.valide()
            try await Self.creer(banc, uai)
            let aggregate = "centre:\(code):\(uai)"
            let declaration = #"{"roles":["epreuve","inscription"],"gestionAutonome":true,"salles":[{"nom":"Atelier 1","places":12},{"nom":"Salle 104","places":30}]}"#
            let declare = try await banc.appel(.put, "/v1/sessions/\(code)/centres/\(uai)", json: declaration)
            #expect(declare.status == .created, "\(declare.texte)")
            let centre = try declare.json(Centre.self)
            #expect(centre.roles == [.inscription, .epreuve] && centre.gestionAutonome && centre.places == 42 && centre.revision == 1)
            #expect(try await banc.evenements(CentreDeclare.self, aggregate: aggregate).map(\.salles) == [[Salle(nom: "Atelier 1", places: 12), Salle(nom: "Salle 104", places: 30)]])

            let memeChose = try await banc.appel(.put, "/v1/sessions/\(code)/centres/\(uai)", json: declaration)
            #expect(memeChose.status == .ok)
            #expect(try memeChose.json(Centre.self).revision == 1, "declaring the same thing changes nothing")
            let change = try await banc.appel(.put, "/v1/sessions/\(code)/centres/\(uai)", json: #"{"roles":["correction","deliberation"]}"#)
            #expect(change.status == .ok)
            #expect(try change.json(Centre.self).revision == 2 && (try change.json(Centre.self).salles) == [])
            #expect(try await banc.appel(.put, "/v1/etablissements/\(uai)", json: Self.fiche(uai, nom: "Nouveau nom")).status == .ok)
            let modifies = try await banc.evenements(CentreModifie.self, aggregate: aggregate)
            #expect(modifies.map(\.revision) == [2, 3])
            #expect(modifies.map(\.nom) == ["Lycée des métiers", "Nouveau nom"])
            #expect(modifies.first?.roles == [.correction, .deliberation])

            for (json, location, codeErreur) in [
                (#"{"roles":["epreuve"]}"#, "salles", "centre.salles"),
                (#"{"roles":["correction"],"salles":[{"nom":"A","places":3}]}"#, "salles", "centre.salles"),
                (#"{"roles":["jury"]}"#, "roles", "centre.role"),
                (#"{"roles":["epreuve"],"salles":[{"nom":"A","places":0}]}"#, "salles[0].places", "centre.places"),
                (#"{"roles":["correction"],"gestionAutonome":true}"#, "gestionAutonome", "centre.autonomie"),
            ] {
                let refus = try await banc.appel(.put, "/v1/sessions/\(code)/centres/\(uai)", json: json)
                #expect(refus.status == .unprocessableContent, "\(json)")
                #expect(try refus.probleme.details?.first?.location == location, "\(json)")
                #expect(try refus.probleme.details?.first?.code == codeErreur, "\(json)")
            }
            let nonHabilite = UAIs.valide()
            try await Self.creer(banc, nonHabilite, cfa: false)
            let autonomie = try await banc.appel(.put, "/v1/sessions/\(code)/centres/\(nonHabilite)", json: #"{"roles":["inscription"],"gestionAutonome":true}"#)
            #expect(try autonomie.probleme.code == "centre.autonomie")
            let inconnu = try await banc.appel(.put, "/v1/sessions/\(code)/centres/\(UAIs.valide())", json: #"{"roles":["correction"]}"#)
            #expect(try inconnu.probleme.code == "etablissement.inconnu")
            #expect(try await banc.appel(.put, "/v1/sessions/\(code)/centres/\(nonHabilite)", json: #"{"roles":["inscription"]}"#).status == .created)

            let correction = try await banc.appel(.get, "/v1/sessions/\(code)/centres?role=correction", .service).json(PageCentres.self)
            #expect(correction.items.map(\.uai.value) == [uai])
            #expect(try await banc.appel(.get, "/v1/sessions/\(code)/centres", .admin).json(PageCentres.self).total == 2)
            #expect(try await banc.appel(.delete, "/v1/etablissements/\(uai)").probleme.code == "etablissement.centre")
            #expect(try await banc.appel(.delete, "/v1/sessions/\(code)/centres/\(uai)").status == .noContent)
            #expect(try await banc.evenements(CentreRetire.self, aggregate: aggregate).map(\.uai.value) == [uai])
            #expect(try await banc.appel(.get, "/v1/sessions/\(code)/centres/\(uai)").probleme.code == "centre.inconnu")
            #expect(try await banc.appel(.delete, "/v1/sessions/\(code)/centres/\(uai)").status == .notFound)
        }
    }

    @Test("an établissement reads its own centres and record only")
    func porteeEtablissement() async throws {
        try await Banc.avecService { banc in
            let code = try await banc.nouvelleSession()
            let sien = UAIs.valide()
            let autre = UAIs.valide()
            for uai in [sien, autre] {
                try await Self.creer(banc, uai)
                #expect(try await banc.appel(.put, "/v1/sessions/\(code)/centres/\(uai)", json: #"{"roles":["inscription"]}"#).status == .created)
            }
            let scopes: Set<String> = ["uai:\(sien)"]
            let liste = try await banc.appel(.get, "/v1/sessions/\(code)/centres", .etablissement, scopes: scopes).json(PageCentres.self)
            #expect(liste.items.map(\.uai.value) == [sien])
            #expect(try await banc.appel(.get, "/v1/sessions/\(code)/centres/\(sien)", .etablissement, scopes: scopes).status == .ok)
            #expect(try await banc.appel(.get, "/v1/sessions/\(code)/centres/\(autre)", .etablissement, scopes: scopes).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/sessions/\(code)/centres?uai=\(autre)", .etablissement, scopes: scopes).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/etablissements/\(autre)", .etablissement, scopes: scopes).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/etablissements?taille=200", .etablissement, scopes: scopes).json(PageEtablissements.self).items.map(\.uai.value) == [sien])
            #expect(try await banc.appel(.get, "/v1/sessions/\(code)/centres", .etablissement).json(PageCentres.self).total == 0, "no scope, nothing")
            #expect(try await banc.appel(.put, "/v1/sessions/\(code)/centres/\(sien)", .etablissement, json: "{}", scopes: scopes).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/sessions/\(code)/centres", .candidat).status == .forbidden)
        }
    }
}

struct PageEtablissements: Decodable {
    var items: [Etablissement]
    var total: Int
}

struct PageCentres: Decodable {
    var items: [Centre]
    var total: Int
}
