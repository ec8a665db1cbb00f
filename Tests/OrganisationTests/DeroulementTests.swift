import Contracts
import Domain
import Foundation
@testable import Organisation
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport

@Suite("Organisation: déroulement papers, presence, end of the organisation")
struct DeroulementTests {
    struct Liste<T: Decodable>: Decodable { var items: [T] }

    /// A seated centre, numbers given, convocations generated.
    static func prepare(_ banc: Banc) async throws -> (centre: String, candidatures: [CandidatureEtat]) {
        let centre = try await banc.centre("Centre Gambetta", salles: [Salle(nom: "S1", places: 1), Salle(nom: "Salle 101", places: 30)], departement: "075")
        let etab = UAIs.valide(departement: "075")
        let candidatures = try ["Lefèvre", "Moreau", "Nguyen", "Œuvrard"].enumerated().map { i, nom in
            try banc.candidature(nom: nom, prenoms: "Élise", etablissement: etab,
                                 amenagements: i == 2 ? [MesureAmenagement(type: .salleSeparee)] : [])
        }
        try await banc.nourrir(candidatures)
        #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectation-automatique").status == .ok)
        for unite in ["U10", "U20", "U30", "U40"] {
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/centres/\(centre)/placement",
                                         json: #"{"specialite":"COIFFURE","unite":"\#(unite)"}"#).status == .ok)
        }
        #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/anonymats").status == .ok)
        return (centre, candidatures)
    }

    @Test("émargement, appel, affichage, PV, subject slips, table and copy labels, by the centre or the gestionnaire")
    func papiers() async throws {
        try await Banc.avecService { banc in
            let (centre, candidatures) = try await Self.prepare(banc)
            let base = "/v1/sessions/\(banc.session)/centres/\(centre)/documents"
            let emargement = try await banc.etab(.get, "\(base)/emargement.pdf?unite=U20", centre)
            #expect(emargement.status == .ok && emargement.headers[.contentType] == "application/pdf")
            let texte = try await PDF.texte(emargement.octets)
            #expect(texte.contains("Liste d'émargement") && texte.contains("Signature") && texte.contains("Salle 101"))
            #expect(candidatures.allSatisfy { texte.contains($0.candidat.nomFamille.uppercased()) && texte.contains($0.numero) })
            #expect(texte.contains("U20 — Modification durable de la forme") && texte.contains(DateFrancaise.jour(banc.jour1)))

            let appel = try await PDF.texte(try await banc.appel(.get, "\(base)/appel?unite=U10").octets)
            #expect(appel.contains("Liste d'appel") && appel.contains("Présent") && appel.contains("Absent"))
            let affichage = try await PDF.texte(try await banc.etab(.get, "\(base)/affichage?salle=Salle%20101", centre).octets)
            #expect(affichage.contains("Liste d'affichage") && affichage.contains("LEFÈVRE") && !affichage.contains("NGUYEN"))
            let pv = try await PDF.texte(try await banc.etab(.get, "\(base)/pv?unite=U30", centre).octets)
            #expect(pv.contains("Procès-verbal de séance") && pv.contains("Incidents") && pv.contains("Inscrits"))
            let sujets = try await PDF.texte(try await banc.etab(.get, "\(base)/sujets?unite=U30", centre).octets)
            #expect(sujets.contains("Bordereau de sujets") && sujets.contains("SUJET-U30-\(banc.code.annee)"))

            let tables = try await PDF.texte(try await banc.etab(.get, "\(base)/etiquettes-tables?unite=U20", centre).octets)
            #expect(tables.contains("Table 1 — salle Salle 101") && tables.contains("Candidat n° \(candidatures[0].numero)"))
            // Copy labels carry the numéros d'anonymat: the gestionnaire's only.
            #expect(try await banc.etab(.get, "\(base)/etiquettes-copies?unite=U20", centre).status == .forbidden)
            let copies = try await PDF.texte(try await banc.appel(.get, "\(base)/etiquettes-copies?unite=U20").octets)
            let numeros = try await banc.evenements(AnonymatAttribue.self).filter { $0.unite == "U20" }.flatMap(\.copies)
            #expect(numeros.count == 4 && numeros.allSatisfy { copies.contains($0) })

            #expect(try await banc.etab(.get, "\(base)/emargement", UAIs.valide()).status == .forbidden)
            #expect(try await banc.appel(.get, "\(base)/inconnu").status == .notFound)
            #expect(try await banc.appel(.get, "\(base)/emargement?unite=U99").status == .notFound)
        }
    }

    @Test("presence: ABS and ABJ (with its piece) become events; a fix back to present too; errors name the line")
    func presence() async throws {
        try await Banc.avecService { banc in
            let (centre, candidatures) = try await Self.prepare(banc)
            let url = "/v1/sessions/\(banc.session)/centres/\(centre)/presences"
            let fautes = try await banc.etab(.post, url, centre, json: """
                {"specialite":"COIFFURE","unite":"U20","saisies":[{"numeroCandidat":"\(candidatures[0].numero)","statut":"ABJ"},
                 {"numeroCandidat":"99999999","statut":"ABS"},{"numeroCandidat":"\(candidatures[1].numero)","statut":"malade"}]}
                """)
            #expect(fautes.status == .unprocessableContent)
            #expect(Set(try fautes.probleme.details?.map(\.location) ?? []) == ["saisies[0].piece", "saisies[1].numeroCandidat", "saisies[2].statut"])
            #expect(try await banc.evenements(AbsenceConstatee.self).isEmpty)

            let saisie = """
                {"specialite":"COIFFURE","unite":"U20","saisies":[{"numeroCandidat":"\(candidatures[0].numero)","statut":"ABJ","piece":"Certificat d'hospitalisation"},
                 {"numeroCandidat":"\(candidatures[1].numero)","statut":"ABS"},{"numeroCandidat":"\(candidatures[2].numero)","statut":"present"}]}
                """
            struct Bilan: Decodable { var enregistrees: Int; var evenements: Int }
            let bilan = try await banc.etab(.post, url, centre, json: saisie).json(Bilan.self)
            #expect(bilan.enregistrees == 3 && bilan.evenements == 2)
            #expect(try await banc.etab(.post, url, centre, json: saisie).json(Bilan.self).evenements == 0)
            let correction = #"{"specialite":"COIFFURE","unite":"U20","saisies":[{"numeroCandidat":"\#(candidatures[1].numero)","statut":"present"}]}"#
            #expect(try await banc.etab(.post, url, centre, json: correction).json(Bilan.self).evenements == 1)
            let evenements = try await banc.evenements(AbsenceConstatee.self)
            #expect(evenements.map(\.statut) == [.abj, .abs, .present] || evenements.map(\.statut) == [.abs, .abj, .present])
            #expect(evenements.last?.revision == 2 && evenements.allSatisfy { $0.unite == "U20" })

            struct Ligne: Decodable { var numeroCandidat: String; var statut: String?; var piece: String? }
            let liste = try await banc.etab(.get, "\(url)?specialite=COIFFURE&unite=U20", centre).json(Liste<Ligne>.self)
            #expect(liste.items.first { $0.numeroCandidat == candidatures[0].numero }?.piece == "Certificat d'hospitalisation")
            #expect(liste.items.first { $0.numeroCandidat == candidatures[3].numero }?.statut == nil)
            #expect(try await banc.etab(.post, url, UAIs.valide(), json: correction).status == .forbidden)
        }
    }

    @Test("organisation terminée: refused while convocations are missing, then once, with its event")
    func terminaison() async throws {
        try await Banc.avecService { banc in
            let (_, candidatures) = try await Self.prepare(banc)
            let refus = try await banc.appel(.post, "/v1/sessions/\(banc.session)/terminaison")
            let code = try refus.probleme.code
            #expect(refus.status == .conflict && code == "organisation.convocations")
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/convocations").status == .ok)
            let fin = try await banc.appel(.post, "/v1/sessions/\(banc.session)/terminaison")
            #expect(fin.status == .ok, "\(fin.texte)")
            let evenements = try await banc.evenements(OrganisationTerminee.self)
            #expect(evenements.count == 1 && evenements.first?.candidats == candidatures.count && evenements.first?.epreuvesPlacees == 16)
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/terminaison").status == .conflict)
        }
    }

    @Test("capacity view per centre and lists with filters and paging")
    func vuesEtListes() async throws {
        try await Banc.avecService { banc in
            let (centre, candidatures) = try await Self.prepare(banc)
            struct Vue: Decodable {
                struct Seance: Decodable { var debut: String; var inscrits: Int; var sallesSeparees: Int; var tient: Bool }
                var uai: String; var capacite: Int; var chargeMax: Int; var seances: [Seance]
            }
            let vues = try await banc.appel(.get, "/v1/sessions/\(banc.session)/centres").json(Liste<Vue>.self).items
            let vue = try #require(vues.first { $0.uai == centre })
            #expect(vue.capacite == 31 && vue.chargeMax == 4 && vue.seances.count == 4 && vue.seances.allSatisfy { $0.tient && $0.sallesSeparees == 1 })
            #expect(try await banc.etab(.get, "/v1/sessions/\(banc.session)/centres", centre).json(Liste<Vue>.self).items.map(\.uai) == [centre])

            struct Page: Decodable { struct L: Decodable { var nom: String; var unite: String; var salle: String? }; var items: [L]; var total: Int; var page: Int }
            let page = try await banc.appel(.get, "/v1/sessions/\(banc.session)/affectations?centre=\(centre)&unite=U20&taille=2&page=2").json(Page.self)
            #expect(page.total == 4 && page.page == 2 && page.items.count == 2 && page.items.allSatisfy { $0.unite == "U20" })
            let recherche = try await banc.appel(.get, "/v1/sessions/\(banc.session)/affectations?q=nguy").json(Page.self)
            #expect(recherche.total == 4 && recherche.items.allSatisfy { $0.nom == "Nguyen" })
            let erreurs = try await banc.appel(.get, "/v1/sessions/\(banc.session)/affectations?etat=perdu&taille=0&centre=123")
            #expect(Set(try erreurs.probleme.details?.map(\.location) ?? []) == ["etat", "taille", "centre"])
            let etab = candidatures[0].etablissement!.uai.value
            #expect(try await banc.etab(.get, "/v1/sessions/\(banc.session)/affectations", etab).json(Page.self).total == 16)
            #expect(try await banc.etab(.get, "/v1/sessions/\(banc.session)/affectations?uai=\(UAIs.valide())", etab).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/affectations", nil).status == .unauthorized)
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/affectations", .candidat, scopes: ["candidat:1"]).status == .forbidden)
        }
    }
}
