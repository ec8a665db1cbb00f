import Contracts
import Domain
import Foundation
@testable import Organisation
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport

@Suite("Organisation: assignment to centres épreuve")
struct AffectationTests {
    struct Rapport: Decodable {
        struct NonPlace: Decodable { var candidature: UUID; var numeroCandidat: String; var nom: String; var unites: [String]; var motif: String }
        var candidats: Int
        var epreuves: Int
        var candidatsPlaces: Int
        var epreuvesPlacees: Int
        var groupesScindes: Int
        var nonPlaces: [NonPlace]
        var affectationsPubliees: Int
        var millisecondes: Int
    }

    struct Controle: Decodable {
        struct Seance: Decodable { var centre: String; var debut: String; var inscrits: Int; var capacite: Int; var raison: String }
        struct NonPlacee: Decodable { var numeroCandidat: String; var unite: String; var raison: String }
        var epreuvesCandidats: Int
        var placees: Int
        var nonPlacees: Int
        var sansSalle: Int
        var detailNonPlacees: [NonPlacee]
        var centresEnSurcapacite: [Seance]
        var complete: Bool
    }

    @Test("3,000 candidates over 8 centres with 30 aménagements: no sitting over its rooms, every unplaced candidate has his reason")
    func automatiqueSousCapacite() async throws {
        try await Banc.avecService { banc in
            // 8 centres, 2 per département: 332 or 302 seats in 6 or 5 rooms, two or one of them very small.
            var centres: [(uai: String, salles: [Salle])] = []
            for (i, departement) in ["075", "075", "069", "069", "013", "013", "033", "033"].enumerated() {
                let salles = i % 2 == 0
                    ? [Salle(nom: "A", places: 110), Salle(nom: "B", places: 110), Salle(nom: "C", places: 100), Salle(nom: "T", places: 10),
                       Salle(nom: "S1", places: 1), Salle(nom: "S2", places: 1)]
                    : [Salle(nom: "A", places: 100), Salle(nom: "B", places: 100), Salle(nom: "C", places: 90), Salle(nom: "T", places: 10),
                       Salle(nom: "S1", places: 2)]
                let uai = try await banc.centre("Centre \(i + 1)", salles: salles, departement: departement)
                centres.append((uai, salles))
            }
            // 60 établissements of 50 candidates; 10 with a room of their own, 20 with extra time.
            var candidatures: [CandidatureEtat] = []
            let departements = ["075", "069", "013", "033"]
            for e in 0..<60 {
                let uai = UAIs.valide(departement: departements[e % 4])
                for k in 0..<50 {
                    let n = e * 50 + k
                    var amenagements: [MesureAmenagement] = []
                    if n % 300 == 7 { amenagements = [MesureAmenagement(type: .salleSeparee)] }
                    if n % 150 == 11 { amenagements = [MesureAmenagement(type: .tempsMajore, majorationPourcent: 33)] }
                    candidatures.append(try banc.candidature(nom: "Nom\(n)", prenoms: "Prénom", etablissement: uai, amenagements: amenagements,
                                                             numero: String(format: "7%07d", n)))
                }
            }
            #expect(candidatures.filter { !$0.amenagements.isEmpty }.count == 30)
            try await banc.nourrir(candidatures)

            let reponse = try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectation-automatique", json: "{}")
            #expect(reponse.status == .ok, "\(reponse.texte.prefix(500))")
            let rapport = try reponse.json(Rapport.self)
            #expect(rapport.candidats == 3000 && rapport.epreuves == 12_000)
            // 4 × 332 + 4 × 302 = 2,536 seats at each sitting: some 470 candidates cannot sit.
            #expect(rapport.candidatsPlaces + rapport.nonPlaces.count == 3000)
            #expect(rapport.candidatsPlaces > 2450 && rapport.candidatsPlaces <= 2536,
                    "placed \(rapport.candidatsPlaces), split \(rapport.groupesScindes), reasons: \(Set(rapport.nonPlaces.map { String($0.motif.suffix(90)) }))")
            #expect(rapport.nonPlaces.allSatisfy { $0.motif.contains("capacité atteinte") || $0.motif.contains("salle séparée") || $0.motif.contains("temps majoré") })
            #expect(rapport.nonPlaces.allSatisfy { $0.unites == ["U10", "U20", "U30", "U40"] && !$0.numeroCandidat.isEmpty })
            #expect(rapport.affectationsPubliees == rapport.epreuvesPlacees)

            // Checked independently of the algorithm: per centre and sitting, the room rules hold.
            let places = try await banc.places()
            for centre in centres {
                let ici = places.filter { $0.centre == centre.uai }
                for (debut, lignes) in Dictionary(grouping: ici, by: { $0.debut ?? "" }) {
                    let ids = Set(lignes.map(\.candidature))
                    let separees = candidatures.filter { ids.contains($0.id) && $0.amenagements.contains { $0.type == .salleSeparee } }.count
                    let majores = candidatures.filter { ids.contains($0.id) && $0.amenagements.contains { $0.type == .tempsMajore } }.count
                    #expect(lignes.count <= centre.salles.reduce(0) { $0 + $1.places }, "centre \(centre.uai) at \(debut) over capacity")
                    #expect(separees <= centre.salles.count, "more separate rooms than rooms at \(centre.uai) \(debut)")
                    #expect(Repartition.tient(places: centre.salles.map(\.places),
                                              besoin: Besoin(separees: separees, majores: majores, ordinaires: lignes.count - separees - majores)))
                }
            }
            // Every unplaced épreuve keeps its reason in the schema too; every placed one is in a declared centre.
            let nonPlacees = places.filter { $0.centre == nil }
            #expect(nonPlacees.count == rapport.nonPlaces.count * 4)
            #expect(nonPlacees.allSatisfy { ($0.motif ?? "").count > 20 })
            #expect(places.compactMap(\.centre).allSatisfy { c in centres.contains { $0.uai == c } })
            // A candidate sits all his épreuves in one centre; most établissements stay together.
            for (_, lignes) in Dictionary(grouping: places.filter { $0.centre != nil }, by: \.candidature) {
                #expect(Set(lignes.map(\.centre)).count == 1)
            }
            #expect(rapport.groupesScindes <= 10)

            // The global check sees what was left and no over-capacity sitting.
            let controle = try await banc.appel(.get, "/v1/sessions/\(banc.session)/verification").json(Controle.self)
            #expect(controle.centresEnSurcapacite.isEmpty && !controle.complete)
            #expect(controle.nonPlacees == nonPlacees.count && controle.detailNonPlacees.count == min(200, nonPlacees.count))
            #expect(controle.detailNonPlacees.allSatisfy { $0.raison.contains("centre(s) d'épreuve") })

            // One CandidatAffecte per placed épreuve, with its centre and duration.
            let evenements = try await banc.evenements(CandidatAffecte.self)
            #expect(evenements.count == rapport.epreuvesPlacees)
            #expect(evenements.allSatisfy { $0.revision == 1 && $0.mode == .ponctuel && $0.salle == nil && $0.dureeMinutes != nil })
            let nonPlacesIds = Set(rapport.nonPlaces.map(\.candidature))
            let majore = try #require(candidatures.first { c in c.amenagements.contains { $0.type == .tempsMajore } && !nonPlacesIds.contains(c.id) })
            #expect(evenements.first { $0.candidature == majore.id && $0.unite == "U20" }?.dureeMinutes == 160)

            // Running it again places nothing more and moves nobody.
            let encore = try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectation-automatique").json(Rapport.self)
            #expect(encore.candidatsPlaces == 0 && encore.nonPlaces.count == rapport.nonPlaces.count && encore.affectationsPubliees == 0)
        }
    }

    @Test("candidates of one établissement go to their own centre, then their département's")
    func etablissementsEnsemble() async throws {
        try await Banc.avecService { banc in
            let lycee = try await banc.centre("Lycée hôte", salles: [Salle(nom: "A", places: 20)], departement: "069")
            let lyon = try await banc.centre("Centre de Lyon", salles: [Salle(nom: "A", places: 30)], departement: "069")
            let paris = try await banc.centre("Centre de Paris", salles: [Salle(nom: "A", places: 500)], departement: "075")
            let autre = UAIs.valide(departement: "069")
            let candidatures = try (0..<15).map { try banc.candidature(nom: "Lyc\($0)", etablissement: lycee) }
                + (0..<25).map { try banc.candidature(nom: "Autre\($0)", etablissement: autre) }
            try await banc.nourrir(candidatures)
            let rapport = try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectation-automatique").json(Rapport.self)
            #expect(rapport.nonPlaces.isEmpty && rapport.groupesScindes == 0)
            let places = try await banc.places()
            let centreDe = Dictionary(places.map { ($0.candidature, $0.centre) }, uniquingKeysWith: { a, _ in a })
            #expect(candidatures.prefix(15).allSatisfy { centreDe[$0.id] == lycee })
            // 25 do not fit in the lycée's 5 seats left; Lyon (same département) takes them all, not Paris.
            #expect(candidatures.suffix(25).allSatisfy { centreDe[$0.id] == lyon })
            #expect(!places.contains { $0.centre == paris })
        }
    }

    @Test("regroupements: criteria checked field by field, counts, manual assignment refused over capacity")
    func regroupements() async throws {
        try await Banc.avecService { banc in
            let petit = try await banc.centre("Petit centre", salles: [Salle(nom: "A", places: 3)], departement: "075")
            let grand = try await banc.centre("Grand centre", salles: [Salle(nom: "A", places: 40)], departement: "075")
            let etab = UAIs.valide(departement: "075")
            let candidatures = try (0..<5).map { try banc.candidature(nom: "R\($0)", etablissement: etab) }
            try await banc.nourrir(candidatures)

            let refus = try await banc.appel(.post, "/v1/sessions/\(banc.session)/regroupements",
                                             json: #"{"libelle":"","uais":["0750655X"],"departements":["7"],"categories":["etudiant"],"unites":["U 10"]}"#)
            #expect(refus.status == .unprocessableContent)
            let details = try refus.probleme.details ?? []
            #expect(Set(details.map(\.location)) == ["libelle", "uais[0]", "departements[0]", "categories[0]", "unites[0]"])
            #expect(details.first { $0.location == "uais[0]" }?.message.contains("0750655X") == true)
            #expect(try await banc.etab(.post, "/v1/sessions/\(banc.session)/regroupements", etab, json: #"{"libelle":"x"}"#).status == .forbidden)

            let cree = try await banc.appel(.post, "/v1/sessions/\(banc.session)/regroupements",
                                            json: #"{"libelle":"Coiffure écrits 75","specialites":["coiffure"],"departements":["75"],"unites":["U20","U30"]}"#)
            #expect(cree.status == .created, "\(cree.texte)")
            let regroupement = try cree.json(Regroupement.self)
            #expect(regroupement.departements == ["075"] && regroupement.specialites == ["COIFFURE"])
            let liste = try await banc.appel(.get, "/v1/sessions/\(banc.session)/regroupements").json(Liste.self)
            #expect(liste.items.first { $0.id == regroupement.id }?.epreuves == 10)
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/regroupements",
                                         json: #"{"libelle":"Coiffure écrits 75"}"#).probleme.code == "regroupement.libelle_unique")

            let plein = try await banc.appel(.post, "/v1/regroupements/\(regroupement.id.uuidString)/affectation", json: #"{"centre":"\#(petit)"}"#)
            #expect(plein.status == .conflict)
            #expect(try plein.probleme.message.contains("capacité atteinte : 5 candidat(s) pour 3 place(s)"))
            let fait = try await banc.appel(.post, "/v1/regroupements/\(regroupement.id.uuidString)/affectation", json: #"{"centre":"\#(grand)"}"#)
            #expect(fait.status == .ok, "\(fait.texte)")
            let places = try await banc.places()
            #expect(places.filter { $0.centre == grand }.map(\.unite).sorted() == Array(repeating: "U20", count: 5) + Array(repeating: "U30", count: 5))
            #expect(places.filter { $0.unite == "U10" }.allSatisfy { $0.centre == nil })
            let apres = try await banc.appel(.get, "/v1/regroupements/\(regroupement.id.uuidString)").json(Regroupement.self)
            #expect(apres.placees == 10)

            // By hand, one candidate: the unknown unit is named, the small centre refused at a full sitting.
            let un = candidatures[0].id.uuidString
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectations",
                                         json: #"{"candidature":"\#(un)","centre":"\#(petit)","unites":["U99"]}"#).probleme.code == "affectation.unite")
            let manuel = try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectations", json: #"{"candidature":"\#(un)","centre":"\#(petit)","unites":["U10"]}"#)
            #expect(manuel.status == .ok, "\(manuel.texte)")
            let sansChamps = try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectations", json: #"{"centre":"123"}"#)
            #expect(Set(try sansChamps.probleme.details?.map(\.location) ?? []) == ["candidature", "centre"])
        }
    }

    struct Liste: Decodable { var items: [Regroupement] }

    @Test("CCF épreuves: placed in an établissement in gestion autonome at the candidature event, else by the gestionnaire")
    func ccf() async throws {
        try await Banc.avecService { banc in
            let autonome = try await banc.centre("CFA autonome", salles: [Salle(nom: "A", places: 30)], roles: [.inscription, .epreuve], gestionAutonome: true)
            let centre = try await banc.centre("Centre CCF", salles: [Salle(nom: "A", places: 30)])
            let autre = UAIs.valide()
            let a = try banc.candidature(nom: "Auto", etablissement: autonome, autonome: true, categorie: .apprentiCFAHabilite, ccf: true)
            let b = try banc.candidature(nom: "Pasauto", etablissement: autre, autonome: false, categorie: .apprentiCFAHabilite, ccf: true)
            try await banc.nourrir([a, b])
            let ccf = try await banc.places(mode: "ccf")
            #expect(ccf.first { $0.candidature == a.id }?.centre == autonome)
            #expect(ccf.first { $0.candidature == b.id }?.centre == nil)
            let evenements = try await banc.evenements(CandidatAffecte.self)
            #expect(evenements.map(\.candidature) == [a.id] && evenements.first?.mode == .ccf && evenements.first?.unite == "U40")

            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/ccf", json: #"{"centre":"\#(centre)"}"#).probleme.code == "ccf.selection")
            let place = try await banc.appel(.post, "/v1/sessions/\(banc.session)/ccf", json: #"{"centre":"\#(centre)","etablissement":"\#(autre)"}"#)
            #expect(place.status == .ok, "\(place.texte)")
            #expect(try await banc.places(mode: "ccf").first { $0.candidature == b.id }?.centre == centre)

            // The list the connector sends to EPSNET.
            struct Page: Decodable { struct L: Decodable { var numeroCandidat: String; var unite: String; var centre: String? }; var items: [L]; var total: Int }
            let liste = try await banc.appel(.get, "/v1/sessions/\(banc.session)/ccf", .service, sujet: "connecteur").json(Page.self)
            #expect(liste.total == 2 && liste.items.allSatisfy { $0.unite == "U40" && $0.centre != nil })
            #expect(try await banc.etab(.get, "/v1/sessions/\(banc.session)/ccf?uai=\(autonome)", autre).status == .forbidden)
        }
    }
}
