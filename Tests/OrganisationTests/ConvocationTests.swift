import Contracts
import Domain
import Foundation
@testable import Organisation
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport

@Suite("Organisation: seating, convocations and their changes")
struct ConvocationTests {
    struct Placement: Decodable {
        struct S: Decodable { var salle: String; var places: Int; var occupees: Int; var usage: String }
        var candidats: Int
        var salles: [S]
    }

    struct Generation: Decodable { var candidats: Int; var generees: Int }
    struct Versions: Decodable { struct V: Decodable { var version: Int; var changement: String? }; var items: [V] }

    /// One centre with a small room and a big one; 6 candidates, one with extra time, one with a room of his own.
    static func prepare(_ banc: Banc) async throws -> (centre: String, candidatures: [CandidatureEtat]) {
        let centre = try await banc.centre("Lycée Jean Moulin", salles: [Salle(nom: "B12", places: 1), Salle(nom: "B14", places: 2), Salle(nom: "Amphi", places: 40)],
                                           departement: "069")
        let etab = UAIs.valide(departement: "069")
        let noms = ["Dupont", "Bernard", "Zola", "Martin", "Petit", "Roux"]
        let candidatures = try noms.enumerated().map { i, nom in
            try banc.candidature(nom: nom, prenoms: "Prénom\(i)", etablissement: etab,
                                 amenagements: nom == "Martin" ? [MesureAmenagement(type: .tempsMajore, majorationPourcent: 33)]
                                     : nom == "Petit" ? [MesureAmenagement(type: .salleSeparee, precision: "Salle au rez-de-chaussée")] : [])
        }
        try await banc.nourrir(candidatures)
        #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectation-automatique").status == .ok)
        return (centre, candidatures)
    }

    @Test("seating a sitting: separate room, extra-time room, the rest alphabetically with table numbers")
    func placementEnSalle() async throws {
        try await Banc.avecService { banc in
            let (centre, candidatures) = try await Self.prepare(banc)
            let reponse = try await banc.appel(.post, "/v1/sessions/\(banc.session)/centres/\(centre)/placement",
                                               json: #"{"specialite":"COIFFURE","unite":"U20","ordre":"alphabetique"}"#)
            #expect(reponse.status == .ok, "\(reponse.texte)")
            let rapport = try reponse.json(Placement.self)
            #expect(rapport.candidats == 6)
            #expect(rapport.salles.map(\.usage) == ["salle séparée", "temps majoré", "candidats"])
            #expect(rapport.salles.map(\.occupees) == [1, 1, 4])
            let u20 = try await banc.places().filter { $0.unite == "U20" }
            func place(_ nom: String) -> Banc.Place? { u20.first { p in p.candidature == candidatures.first { $0.candidat.nomFamille == nom }!.id } }
            #expect(place("Petit")?.salle == "B12" && place("Martin")?.salle == "B14")
            #expect(["Bernard", "Dupont", "Roux", "Zola"].map { place($0)?.place } == [1, 2, 3, 4])
            #expect(["Bernard", "Dupont", "Roux", "Zola"].allSatisfy { place($0)?.salle == "Amphi" })
            #expect(place("Martin")?.duree == 160 && place("Dupont")?.duree == 120)
            let aleatoire = try await banc.appel(.post, "/v1/sessions/\(banc.session)/centres/\(centre)/placement",
                                                 json: #"{"specialite":"COIFFURE","unite":"U20","ordre":"hasard"}"#)
            #expect(try aleatoire.probleme.details?.first?.location == "ordre")

            // The centre seats only what was delegated to it.
            let refus = try await banc.etab(.post, "/v1/sessions/\(banc.session)/centres/\(centre)/placement", centre,
                                            json: #"{"specialite":"COIFFURE","unite":"U30","ordre":"aleatoire"}"#)
            let message = try refus.probleme.message
            #expect(refus.status == .forbidden && message.contains("délégué"))
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/delegations",
                                         json: #"{"centre":"\#(centre)","specialite":"COIFFURE","unite":"U30"}"#).status == .created)
            let delegue = try await banc.etab(.post, "/v1/sessions/\(banc.session)/centres/\(centre)/placement", centre,
                                              json: #"{"specialite":"COIFFURE","unite":"U30","ordre":"aleatoire"}"#)
            #expect(delegue.status == .ok, "\(delegue.texte)")
            let u30 = try await banc.places().filter { $0.unite == "U30" }
            #expect(u30.filter { $0.salle == "Amphi" }.compactMap(\.place).sorted() == [1, 2, 3, 4])
            // Another centre's établissement may not.
            #expect(try await banc.etab(.post, "/v1/sessions/\(banc.session)/centres/\(centre)/placement", UAIs.valide(),
                                        json: #"{"specialite":"COIFFURE","unite":"U30"}"#).status == .forbidden)
            // A date fixed by the centre needs a delegation with the date.
            #expect(try await banc.etab(.put, "/v1/sessions/\(banc.session)/centres/\(centre)/dates", centre,
                                        json: #"{"specialite":"COIFFURE","unite":"U30","debut":"\#(banc.jour2)T10:00"}"#).status == .forbidden)
        }
    }

    @Test("convocations: refused while an épreuve is not seated; the PDF shows épreuves, dates, rooms, tables and extra time")
    func convocationsPDF() async throws {
        try await Banc.avecService { banc in
            let (centre, candidatures) = try await Self.prepare(banc)
            let refus = try await banc.appel(.post, "/v1/sessions/\(banc.session)/convocations")
            #expect(refus.status == .unprocessableContent)
            let probleme = try refus.probleme
            #expect(probleme.code == "convocation.placement_incomplet" && (probleme.details?.count ?? 0) == 24)
            #expect(probleme.details?.allSatisfy { $0.message.contains("sans salle") } == true)
            #expect(try await banc.evenements(ConvocationGeneree.self).isEmpty)

            for unite in ["U10", "U20", "U30", "U40"] {
                let r = try await banc.appel(.post, "/v1/sessions/\(banc.session)/centres/\(centre)/placement",
                                             json: #"{"specialite":"COIFFURE","unite":"\#(unite)"}"#)
                #expect(r.status == .ok, "\(r.texte)")
            }
            let generation = try await banc.appel(.post, "/v1/sessions/\(banc.session)/convocations").json(Generation.self)
            #expect(generation.candidats == 6 && generation.generees == 6)
            let evenements = try await banc.evenements(ConvocationGeneree.self)
            #expect(evenements.count == 6 && evenements.allSatisfy { $0.version == 1 && $0.changement == nil })

            let martin = try #require(candidatures.first { $0.candidat.nomFamille == "Martin" })
            let pdf = try await banc.appel(.get, "/v1/candidatures/\(martin.id.uuidString)/convocation")
            #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf")
            let texte = try await PDF.texte(pdf.octets)
            #expect(texte.contains("Convocation aux épreuves") && texte.contains("MARTIN") && texte.contains(martin.numero))
            for (unite, libelle) in [("U10", "Création couleur coupe coiffage"), ("U20", "Modification durable de la forme"),
                                     ("U30", "Sciences et technologies"), ("U40", "Gestion de l'entreprise")] {
                #expect(texte.contains(unite) && texte.contains(libelle), "\(unite) missing")
            }
            let j1 = DateFrancaise.jour(banc.jour1), j2 = DateFrancaise.jour(banc.jour2)
            // Each épreuve reads as one block: date, time, duration with the extra time it includes, centre, room, table.
            #expect(PDF.contient(texte, "U10 — Création couleur coupe coiffage (épreuve pratique) Date \(j1) Heure 8 h 00 Durée 5 h 20 (dont temps majoré 1 h 20) Centre Lycée Jean Moulin (\(centre))"))
            #expect(PDF.contient(texte, "U20 — Modification durable de la forme (épreuve écrite) Date \(j1) Heure 14 h 00 Durée 2 h 40 (dont temps majoré 40 min) Centre Lycée Jean Moulin (\(centre))"))
            #expect(PDF.contient(texte, "U30 — Sciences et technologies (épreuve écrite) Date \(j2) Heure 9 h 00 Durée 4 h (dont temps majoré 1 h)"))
            #expect(PDF.contient(texte, "U40 — Gestion de l'entreprise (épreuve écrite) Date \(j2) Heure 14 h 00 Durée 3 h 20 (dont temps majoré 50 min)"))
            // Martin sits in the extra-time room B14, table 1, at every sitting.
            #expect(texte.components(separatedBy: "Salle B14 Table 1").count - 1 == 4)
            #expect(texte.contains("majoration du temps (+33 %)"))
            #expect(texte.contains("pièce d'identité officielle"))

            let petit = try #require(candidatures.first { $0.candidat.nomFamille == "Petit" })
            let textePetit = try await PDF.texte(try await banc.appel(.get, "/v1/candidatures/\(petit.id.uuidString)/convocation").octets)
            #expect(textePetit.contains("salle séparée : Salle au rez-de-chaussée"))
            #expect(PDF.contient(textePetit, "U20 — Modification durable de la forme (épreuve écrite) Date \(j1) Heure 14 h 00 Durée 2 h Centre"))
            #expect(textePetit.components(separatedBy: "Salle B12 Table 1").count - 1 == 4 && !textePetit.contains("dont temps majoré"))

            // Who may read it: his établissement, himself (papillon scope), not another candidate.
            #expect(try await banc.etab(.get, "/v1/candidatures/\(martin.id.uuidString)/convocation", martin.etablissement!.uai.value).status == .ok)
            #expect(try await banc.appel(.get, "/v1/candidatures/\(martin.id.uuidString)/convocation", .candidat,
                                         scopes: ["candidat:\(martin.numero)"], sujet: "martin").status == .ok)
            #expect(try await banc.appel(.get, "/v1/candidatures/\(martin.id.uuidString)/convocation", .candidat,
                                         scopes: ["candidat:\(petit.numero)"], sujet: "petit").status == .forbidden)
            #expect(try await banc.etab(.get, "/v1/candidatures/\(martin.id.uuidString)/convocation", UAIs.valide()).status == .forbidden)

            // Bulk printing, by établissement: six documents in one PDF.
            let lot = try await banc.appel(.get, "/v1/sessions/\(banc.session)/convocations.pdf?uai=\(martin.etablissement!.uai.value)")
            let texteLot = try await PDF.texte(lot.octets)
            #expect(candidatures.allSatisfy { texteLot.contains($0.numero) })
        }
    }

    @Test("a change of room after the convocations: a new version noting the change, and its event")
    func changementDeSalle() async throws {
        try await Banc.avecService { banc in
            let (centre, candidatures) = try await Self.prepare(banc)
            for unite in ["U10", "U20", "U30", "U40"] {
                #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/centres/\(centre)/placement",
                                             json: #"{"specialite":"COIFFURE","unite":"\#(unite)"}"#).status == .ok)
            }
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/convocations").json(Generation.self).generees == 6)
            let dupont = try #require(candidatures.first { $0.candidat.nomFamille == "Dupont" })
            let affecteAvant = try await banc.evenements(CandidatAffecte.self).filter { $0.candidature == dupont.id && $0.unite == "U20" }

            // Room checks first: unknown room, full room, the separate room.
            let inconnue = try await banc.appel(.put, "/v1/affectations/\(dupont.id.uuidString)/U20/salle", json: #"{"salle":"Z9"}"#)
            #expect(try inconnue.probleme.details?.first?.location == "salle")
            #expect(try await banc.appel(.put, "/v1/affectations/\(dupont.id.uuidString)/U20/salle", json: #"{"salle":"B12"}"#)
                        .probleme.code == "placement.salle_separee")

            let change = try await banc.appel(.put, "/v1/affectations/\(dupont.id.uuidString)/U20/salle", json: #"{"salle":"B14","place":2}"#)
            #expect(change.status == .ok, "\(change.texte)")
            struct Changement: Decodable { var salle: String; var place: Int; var convocationsRegenerees: Int }
            #expect(try change.json(Changement.self).convocationsRegenerees == 1)
            #expect(try await banc.appel(.put, "/v1/affectations/\(dupont.id.uuidString)/U20/salle", json: #"{"salle":"B14"}"#)
                        .json(Changement.self).convocationsRegenerees == 0)

            let versions = try await banc.appel(.get, "/v1/candidatures/\(dupont.id.uuidString)/convocations").json(Versions.self)
            #expect(versions.items.map(\.version) == [2, 1])
            let changement = try #require(versions.items.first?.changement)
            // Dupont had table 2 in the Amphi (Bernard, Dupont, Roux, Zola) and keeps table 2 in B14.
            #expect(changement == "U20 : salle Amphi → B14")
            let generees = try await banc.evenements(ConvocationGeneree.self).filter { $0.candidature == dupont.id }
            #expect(generees.map(\.version) == [1, 2])
            #expect(generees.last?.changement == changement && generees.last?.document.hasSuffix("convocation?version=2") == true)
            // Nobody else's convocation moved.
            #expect(try await banc.evenements(ConvocationGeneree.self).count == 7)
            // The placement event too, with the new room and a higher revision.
            let affecte = try await banc.evenements(CandidatAffecte.self).filter { $0.candidature == dupont.id && $0.unite == "U20" }
            #expect(affecte.count == affecteAvant.count + 1 && affecte.last?.salle == "B14" && affecte.last?.place == 2)
            #expect((affecte.last?.revision ?? 0) > (affecteAvant.last?.revision ?? 0))

            let texte = try await PDF.texte(try await banc.appel(.get, "/v1/candidatures/\(dupont.id.uuidString)/convocation").octets)
            #expect(texte.contains("version 2") && texte.contains("remplace la précédente") && texte.contains("salle Amphi → B14"))
            let ancienne = try await PDF.texte(try await banc.appel(.get, "/v1/candidatures/\(dupont.id.uuidString)/convocation?version=1").octets)
            #expect(ancienne.contains("version 1") && !ancienne.contains("remplace la précédente"))

            // An aménagement granted later (candidature modifiée): longer durations, a new version.
            var modifiee = dupont
            modifiee.amenagements = [MesureAmenagement(type: .tempsMajore, majorationPourcent: 25)]
            modifiee.revision = 2
            try await banc.nourrir([modifiee])
            let apres = try await banc.appel(.get, "/v1/candidatures/\(dupont.id.uuidString)/convocations").json(Versions.self)
            #expect(apres.items.first?.version == 3 && apres.items.first?.changement?.contains("U20 : durée 2 h → 2 h 30") == true)
            #expect(apres.items.first?.changement?.contains("aménagements modifiés") == true)
        }
    }
}
