import Contracts
import Domain
import Foundation
@testable import Organisation
import ServiceKit
import ServiceTestSupport
import Storage
import Testing
import TestSupport

@Suite("Organisation: numéros d'anonymat")
struct AnonymatTests {
    struct Attribution: Decodable { var attribues: Int; var listesEnvoyees: Int }

    /// Two centres, `n` candidates placed over them, numbers given.
    static func prepare(_ banc: Banc, n: Int) async throws -> [CandidatureEtat] {
        // Each with a small room: the one candidate with extra time sits apart.
        try await banc.centre("Centre nord", salles: [Salle(nom: "A", places: 300), Salle(nom: "T", places: 4)], departement: "059")
        try await banc.centre("Centre sud", salles: [Salle(nom: "A", places: 300), Salle(nom: "T", places: 4)], departement: "013")
        let candidatures = try (0..<n).map { i in
            try banc.candidature(nom: "Anonyme\(i)", prenoms: "Camille", naissance: "2004-0\(i % 9 + 1)-1\(i % 9)",
                                 etablissement: UAIs.valide(departement: i % 2 == 0 ? "059" : "013"),
                                 amenagements: i == 3 ? [MesureAmenagement(type: .tempsMajore, majorationPourcent: 50)] : [],
                                 numero: String(format: "5%07d", i))
        }
        try await banc.nourrir(candidatures)
        let rapport = try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectation-automatique")
        #expect(rapport.status == .ok)
        return candidatures
    }

    @Test("unique across the session, random, one per placed épreuve-candidat; given once")
    func uniques() async throws {
        try await Banc.avecService { banc in
            let candidatures = try await Self.prepare(banc, n: 400)
            let attribution = try await banc.appel(.post, "/v1/sessions/\(banc.session)/anonymats").json(Attribution.self)
            #expect(attribution.attribues == 1600)
            // One list per unit and centre: 4 units × 2 centres.
            #expect(attribution.listesEnvoyees == 8)
            let rows = try await banc.database.query(SQL.query(
                "SELECT numero, candidature, unite FROM \(banc.database.table("anonymats")) WHERE session = $1", banc.session))
            var numeros: [String] = []
            var parCandidat: [UUID: [String]] = [:]
            for try await (numero, candidature, _) in rows.decode((String, UUID, String).self) {
                numeros.append(numero)
                parCandidat[candidature, default: []].append(numero)
            }
            #expect(numeros.count == 1600 && Set(numeros).count == 1600)
            #expect(numeros.allSatisfy { $0.count == 8 && $0.allSatisfy { NumeroAnonymat.alphabet.contains($0) } })
            // Not derived from the candidate: no numéro candidat, no shared prefix by candidate, no order.
            for c in candidatures {
                let siens = try #require(parCandidat[c.id])
                #expect(siens.count == 4 && !siens.contains { $0.contains(c.numero) || c.numero.contains($0) })
            }
            // In the candidates' order (their numéros candidat are consecutive), the numbers are not.
            let dansLOrdre = candidatures.compactMap { c in parCandidat[c.id]?.min() }
            #expect(dansLOrdre.count == 400 && dansLOrdre != dansLOrdre.sorted() && dansLOrdre != dansLOrdre.sorted().reversed())
            let prefixes = Set(numeros.map { $0.prefix(2) })
            #expect(prefixes.count > 300)

            // The unique index holds it even against a forged duplicate.
            await #expect(throws: (any Error).self) {
                try await banc.database.query(SQL.query(
                    "UPDATE \(banc.database.table("anonymats")) SET numero = $2 WHERE session = $1 AND numero = $3",
                    banc.session, numeros[0], numeros[1]))
            }

            // Given once: a second call gives nothing and sends nothing.
            let encore = try await banc.appel(.post, "/v1/sessions/\(banc.session)/anonymats").json(Attribution.self)
            #expect(encore.attribues == 0 && encore.listesEnvoyees == 0)
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/anonymats", .etablissement, scopes: ["uai:0750655E"]).status == .forbidden)
        }
    }

    @Test("nothing evaluation receives carries a name, birth date, INE, numéro candidat or candidature id")
    func aucuneIdentite() async throws {
        try await Banc.avecService { banc in
            let candidatures = try await Self.prepare(banc, n: 40)
            _ = try await banc.appel(.post, "/v1/sessions/\(banc.session)/anonymats").json(Attribution.self)
            // Presence recorded for two copies of U20 in one centre: ABS and ABJ.
            let places = try await banc.places()
            let u20 = places.filter { $0.unite == "U20" }
            let centre = try #require(u20.first?.centre)
            let ici = candidatures.filter { c in u20.contains { $0.candidature == c.id && $0.centre == centre } }
            let saisie = #"{"specialite":"COIFFURE","unite":"U20","saisies":[{"numeroCandidat":"\#(ici[0].numero)","statut":"ABS"},{"numeroCandidat":"\#(ici[1].numero)","statut":"ABJ","piece":"Certificat médical du 7 juin"}]}"#
            let presence = try await banc.appel(.post, "/v1/sessions/\(banc.session)/centres/\(centre)/presences", json: saisie)
            #expect(presence.status == .ok, "\(presence.texte)")

            let attribues = try await banc.enveloppes(AnonymatAttribue.self)
            let absences = try await banc.enveloppes(AbsenceConstatee.self)
            #expect(attribues.count == 8 && absences.count == 2)
            // The whole envelopes as written to the outbox (what the relay publishes).
            let textes = attribues + absences
            for c in candidatures {
                var interdits = [c.candidat.nomFamille, c.candidat.dateNaissance, c.numero, c.id.uuidString, c.id.uuidString.lowercased(),
                                 DateFrancaise.jour(c.candidat.dateNaissance)]
                if let ine = c.candidat.ine?.value { interdits.append(ine) }
                for texte in textes {
                    for interdit in interdits { #expect(!texte.contains(interdit), "an evaluation message carries \(interdit)") }
                }
            }
            // The outbox rows' own columns (aggregate, correlation) name no candidature either.
            let rows = try await banc.database.query(SQL.query(
                """
                SELECT aggregate, COALESCE(correlation_id, '') FROM \(banc.database.table("outbox"))
                WHERE type IN ('organisation.anonymat.attribue', 'organisation.absence.constatee') AND aggregate LIKE $1
                """, "\(banc.session)/%"))
            var colonnes: [String] = []
            for try await (aggregate, correlation) in rows.decode((String, String).self) { colonnes += [aggregate, correlation] }
            #expect(colonnes.count == 20)
            for c in candidatures { #expect(!colonnes.contains { $0.contains(c.id.uuidString) || $0.contains(c.numero) }) }

            // What they do carry: the copies by number, sorted (no seat order), the unit's step.
            let listes = try await banc.evenements(AnonymatAttribue.self)
            #expect(listes.reduce(0) { $0 + $1.copies.count } == 160)
            #expect(listes.allSatisfy { $0.copies == $0.copies.sorted() && $0.pasCentiemes == 25 && $0.debut != nil })
            let statuts = try await banc.evenements(AbsenceConstatee.self).map(\.statut)
            #expect(Set(statuts) == [.abs, .abj])
        }
    }

    @Test("a copy moved to another centre: both lists sent again; grades consolidated: the link goes to deliberation")
    func listesEtLevee() async throws {
        try await Banc.avecService { banc in
            let candidatures = try await Self.prepare(banc, n: 10)
            _ = try await banc.appel(.post, "/v1/sessions/\(banc.session)/anonymats").json(Attribution.self)
            let places = try await banc.places()
            let premier = candidatures[0]
            let depart = try #require(places.first { $0.candidature == premier.id }?.centre)
            let arrivee = try #require(Set(places.compactMap(\.centre)).first { $0 != depart })
            let avant = try await banc.evenements(AnonymatAttribue.self).count
            let deplace = try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectations",
                                               json: #"{"candidature":"\#(premier.id.uuidString)","centre":"\#(arrivee)","unites":["U30"]}"#)
            #expect(deplace.status == .ok, "\(deplace.texte)")
            let nouvelles = Array(try await banc.evenements(AnonymatAttribue.self).dropFirst(avant))
            #expect(nouvelles.count == 2 && nouvelles.allSatisfy { $0.unite == "U30" && $0.revision == 2 })
            let numero = try #require(try await banc.database.transaction { connection in
                try await AnonymatRepository(database: banc.database, outbox: banc.runtime.outbox)
                    .numero(candidature: premier.id, unite: "U30", on: connection)
            })
            #expect(nouvelles.first { $0.centre.value == arrivee }?.copies.contains(numero) == true)
            #expect(nouvelles.first { $0.centre.value == depart }?.copies.contains(numero) == false)

            // Evaluation consolidates U30: deliberation receives every copy's candidate, once.
            let lots = try await banc.evenements(AnonymatAttribue.self).filter { $0.unite == "U30" }
            let copies = Set(lots.suffix(2).flatMap(\.copies))
            let notes = NotesConsolidees(session: banc.code, specialite: "COIFFURE", epreuve: "E3", unite: "U30",
                                         notes: try copies.map { .init(numeroAnonymat: $0, note: try Note(centiemes: 1250)) })
            let anonymats = AnonymatRepository(database: banc.database, outbox: banc.runtime.outbox)
            try await banc.database.transaction { try await anonymats.lever(notes, on: $0) }
            try await banc.database.transaction { try await anonymats.lever(notes, on: $0) }
            let levees = try await banc.evenements(AnonymatLeve.self)
            #expect(levees.count == 1)
            let correspondances = try #require(levees.first?.correspondances)
            #expect(correspondances.count == 10 && Set(correspondances.map(\.numeroAnonymat)) == copies)
            #expect(correspondances.first { $0.numeroAnonymat == numero }?.numeroCandidat == premier.numero)
            #expect(correspondances.first { $0.numeroAnonymat == numero }?.candidature == premier.id)

            // A cancelled candidature (its event, as the handler runs it): its copies leave the lists of its four units, and only those.
            let second = candidatures[1]
            let rows = try await banc.database.query(SQL.query(
                "SELECT numero FROM \(banc.database.table("anonymats")) WHERE candidature = $1", second.id))
            var siens: [String] = []
            for try await n in rows.decode(String.self) { siens.append(n) }
            #expect(siens.count == 4)
            let avantAnnulation = try await banc.evenements(AnonymatAttribue.self).count
            try await banc.database.transaction { connection in
                let unites = try #require(try await banc.referentiel.annuler(
                    CandidatureAnnulee(id: second.id, numero: second.numero, session: banc.code, motif: "Abandon", annuleePar: "etab", revision: 2),
                    on: connection))
                try await banc.suites.apresChangement(session: banc.session, unitesRetirees: unites, par: "inscription", on: connection)
            }
            let apresAnnulation = Array(try await banc.evenements(AnonymatAttribue.self).dropFirst(avantAnnulation))
            #expect(apresAnnulation.count == 4 && Set(apresAnnulation.map(\.unite)) == ["U10", "U20", "U30", "U40"])
            #expect(apresAnnulation.allSatisfy { liste in !liste.copies.contains { siens.contains($0) } && liste.revision >= 2 })
            #expect(Set(apresAnnulation.flatMap(\.copies)).count == apresAnnulation.reduce(0) { $0 + $1.copies.count })
        }
    }
}
