import Contracts
import Domain
import Foundation
@testable import Organisation
import ServiceKit
import Testing

/// The rules of assignment to centres épreuve over épreuves-candidats kept in memory: grouping,
/// capacities of the sittings, reasons, manual moves. `AffectationTests` checks them through the
/// API and PostgreSQL at scale; these check each rule in milliseconds.
@Suite("Organisation: the rules of assignment, in memory")
struct AffectationCentresTests {
    static let session = "BP-2027-06-N"
    static let neufHeures = "2027-06-09T09:00"

    static func centre(_ uai: String, _ places: [Int], roles: [RoleCentre] = [.epreuve]) -> CentreEpreuve {
        CentreEpreuve(uai: uai, nom: "Centre \(uai)", commune: "Commune", secteur: .public, habilitationCFA: false,
                      habilitationFPC: false, roles: roles, gestionAutonome: false, retire: false,
                      salles: places.enumerated().map { Salle(nom: "Salle \($0.offset + 1)", places: $0.element) })
    }

    /// `nombre` candidates of an établissement (nil: individuels), each with one épreuve at nine.
    static func candidats(
        _ nombre: Int, de uai: String?, departement: String? = nil, unite: String = "U10", salleSeparee: Bool = false,
        majoration: Int = 0, centre: String? = nil
    ) -> [AffectationsEnMemoire.Epreuve] {
        (0..<nombre).map { _ in
            AffectationsEnMemoire.Epreuve(
                candidature: UUID(), unite: unite, uai: uai, departement: departement ?? uai.map { String($0.prefix(3)) },
                salleSeparee: salleSeparee, majoration: majoration, centre: centre)
        }
    }

    static func regles(_ store: AffectationsEnMemoire) -> AffectationCentres<AffectationsEnMemoire> { AffectationCentres(store: store) }

    /// Every sitting of every centre fits its rooms.
    static func sousCapacite(_ store: AffectationsEnMemoire) async throws -> Bool {
        let charges = try await store.charges(session: session)
        for centre in store.centres {
            for besoin in (charges[centre.uai] ?? [:]).values where !Repartition.tient(places: centre.salles.map(\.places), besoin: besoin) {
                return false
            }
        }
        return true
    }

    static func centres(_ store: AffectationsEnMemoire, _ candidats: [AffectationsEnMemoire.Epreuve]) async -> Set<String?> {
        let ids = Set(candidats.map(\.candidature))
        return Set(await store.epreuves.filter { ids.contains($0.candidature) }.map(\.centre))
    }

    // MARK: Automatic

    @Test("an établissement's candidates go together: to their own établissement when it is a centre, else to one of their département")
    func ensembleChezEuxPuisDansLeDepartement() async throws {
        let lyon = Self.candidats(5, de: "0690001B")
        let villeurbanne = Self.candidats(4, de: "0690009Z")
        let paris = Self.candidats(3, de: "0750009Y")
        let store = AffectationsEnMemoire(
            session: Self.session,
            centres: [Self.centre("0750001A", [30]), Self.centre("0690001B", [20]), Self.centre("0690002C", [20]), Self.centre("0130001D", [40])],
            epreuves: lyon + villeurbanne + paris)
        let fait = try await Self.regles(store).automatique(session: try SessionCode(Self.session), regroupement: nil, reprendre: false)
        #expect(fait.candidats == 12 && fait.resultat.nonPlaces.isEmpty && fait.resultat.groupesScindes == 0)
        #expect(await Self.centres(store, lyon) == ["0690001B"])
        #expect(await Self.centres(store, villeurbanne).count == 1)
        #expect(await Self.centres(store, villeurbanne).isSubset(of: ["0690001B", "0690002C"]))
        #expect(await Self.centres(store, paris) == ["0750001A"])
        #expect(await store.epreuves.allSatisfy { $0.origine == "automatique" })
    }

    @Test("a sitting never holds more than its rooms; each candidate left out gets his reason, kept on his épreuves")
    func capaciteEtMotifs() async throws {
        let individuels = Self.candidats(6, de: nil)
        let store = AffectationsEnMemoire(session: Self.session, centres: [Self.centre("0750001A", [2, 2])], epreuves: individuels)
        let fait = try await Self.regles(store).automatique(session: try SessionCode(Self.session), regroupement: nil, reprendre: false)
        #expect(fait.resultat.placements.count == 4 && fait.resultat.nonPlaces.count == 2)
        #expect(try await Self.sousCapacite(store))
        let motifs = await store.epreuves.compactMap(\.motif)
        #expect(motifs.count == 2)
        #expect(motifs.allSatisfy { $0.contains("capacité atteinte : 5 candidat(s) pour 4 place(s)") && $0.contains("09/06/2027 à 09:00") })
    }

    @Test("a candidate granted salle séparée takes a room of his own, whatever its size")
    func salleSeparee() async throws {
        let separes = Self.candidats(3, de: nil, salleSeparee: true)
        let store = AffectationsEnMemoire(session: Self.session, centres: [Self.centre("0750001A", [1, 10])], epreuves: separes)
        let fait = try await Self.regles(store).automatique(session: try SessionCode(Self.session), regroupement: nil, reprendre: false)
        #expect(fait.resultat.placements.count == 2 && fait.resultat.nonPlaces.count == 1)
        #expect(fait.resultat.nonPlaces.first?.motif.contains("salle séparée : 3 salle(s) à soi demandée(s), 2 salle(s) disponible(s)") == true)
        #expect(try await Self.sousCapacite(store))
    }

    @Test("candidates with extra time sit in rooms apart: a room given to them is lost to the others")
    func tempsMajore() async throws {
        let ordinaires = Self.candidats(10, de: "0750009Y")
        let majores = Self.candidats(4, de: nil, majoration: 33)
        let store = AffectationsEnMemoire(session: Self.session, centres: [Self.centre("0750001A", [3, 10])], epreuves: ordinaires + majores)
        let fait = try await Self.regles(store).automatique(session: try SessionCode(Self.session), regroupement: nil, reprendre: false)
        // The room of 3 holds three of them; a fourth would take the room of 10 from the ten others.
        #expect(await Self.centres(store, ordinaires) == ["0750001A"])
        #expect(fait.resultat.nonPlaces.count == 1)
        #expect(Set(majores.map(\.candidature)).contains(fait.resultat.nonPlaces.first?.candidature ?? UUID()))
        #expect(fait.resultat.nonPlaces.first?.motif.contains("capacité atteinte : 10 candidat(s) pour 3 place(s)") == true)
        #expect(try await Self.sousCapacite(store))
    }

    @Test("a group no centre takes whole is split over the centres, filling the ones it already uses first")
    func groupeScinde() async throws {
        let groupe = Self.candidats(8, de: "0750009Y")
        let store = AffectationsEnMemoire(
            session: Self.session, centres: [Self.centre("0750001A", [5]), Self.centre("0750002B", [5])], epreuves: groupe)
        let fait = try await Self.regles(store).automatique(session: try SessionCode(Self.session), regroupement: nil, reprendre: false)
        #expect(fait.resultat.groupesScindes == 1 && fait.resultat.nonPlaces.isEmpty)
        let parCentre = Dictionary(grouping: await store.epreuves.compactMap(\.centre), by: { $0 }).mapValues(\.count)
        #expect(parCentre == ["0750001A": 5, "0750002B": 3])
        #expect(try await Self.sousCapacite(store))
    }

    @Test("placing again (reprendre) frees what the épreuves held; without it, placed épreuves stay")
    func reprendre() async throws {
        let places = Self.candidats(3, de: nil, centre: "0750001A")
        let store = AffectationsEnMemoire(session: Self.session, centres: [Self.centre("0750001A", [3])], epreuves: places)
        let code = try SessionCode(Self.session)
        let rien = try await Self.regles(store).automatique(session: code, regroupement: nil, reprendre: false)
        #expect(rien.epreuves.isEmpty)
        let encore = try await Self.regles(store).automatique(session: code, regroupement: nil, reprendre: true)
        #expect(encore.epreuves.count == 3 && encore.resultat.placements.count == 3 && encore.resultat.nonPlaces.isEmpty)
    }

    @Test("no centre épreuve: every candidate says so")
    func aucunCentre() async throws {
        let store = AffectationsEnMemoire(
            session: Self.session, centres: [Self.centre("0750001A", [30], roles: [.inscription])], epreuves: Self.candidats(2, de: nil))
        let fait = try await Self.regles(store).automatique(session: try SessionCode(Self.session), regroupement: nil, reprendre: false)
        #expect(fait.resultat.nonPlaces.count == 2)
        #expect(fait.resultat.nonPlaces.allSatisfy { $0.motif.hasPrefix("aucun centre d'épreuve disponible") })
    }

    @Test("a regroupement places only its épreuves, in its centres")
    func regroupementAutomatique() async throws {
        let coiffure = Self.candidats(3, de: "0750009Y")
        var boulangerie = Self.candidats(2, de: "0750009Y")
        for i in boulangerie.indices { boulangerie[i].specialite = "BOULANGER" }
        let regroupement = Regroupement(
            id: UUID(), session: Self.session, libelle: "Coiffure", specialites: ["COIFFURE"], uais: [], departements: [], categories: [],
            unites: [], centres: ["0750002B"], creePar: "test", creeLe: "")
        let store = AffectationsEnMemoire(
            session: Self.session, centres: [Self.centre("0750001A", [30]), Self.centre("0750002B", [30])],
            epreuves: coiffure + boulangerie, regroupements: [regroupement])
        let fait = try await Self.regles(store).automatique(session: try SessionCode(Self.session), regroupement: regroupement, reprendre: false)
        #expect(fait.epreuves.count == 3)
        #expect(await Self.centres(store, coiffure) == ["0750002B"])
        #expect(await Self.centres(store, boulangerie) == [nil])
        #expect(await store.epreuves.filter { $0.centre != nil }.allSatisfy { $0.regroupement == regroupement.id })
    }

    // MARK: By hand

    @Test("by hand: refused when the centre's rooms cannot hold the candidate at a sitting; a move within the centre is not counted twice")
    func manuelSousCapacite() async throws {
        let dejaLa = Self.candidats(2, de: nil, centre: "0750001A")
        let nouveau = Self.candidats(1, de: nil)
        let store = AffectationsEnMemoire(session: Self.session, centres: [Self.centre("0750001A", [2]), Self.centre("0750002B", [2])],
                                          epreuves: dejaLa + nouveau)
        let code = try SessionCode(Self.session)
        do {
            _ = try await Self.regles(store).candidat(session: code, candidature: nouveau[0].candidature, centre: "0750001A", unites: nil)
            Issue.record("a full centre took one more candidate")
        } catch let erreur as ServiceError {
            #expect(erreur.code == "affectation.capacite")
            #expect(erreur.message == "Le centre Centre 0750001A (0750001A) ne peut pas accueillir ces candidats à la séance du 09/06/2027 à 09:00 — capacité atteinte : 3 candidat(s) pour 2 place(s).")
        }
        #expect(try await Self.regles(store).candidat(session: code, candidature: dejaLa[0].candidature, centre: "0750001A", unites: nil).count == 1)
        #expect(try await Self.regles(store).candidat(session: code, candidature: nouveau[0].candidature, centre: "0750002B", unites: ["U10"]).count == 1)
        #expect(await store.epreuves.first { $0.candidature == nouveau[0].candidature }?.origine == "manuel")
        #expect(try await Self.sousCapacite(store))
    }

    @Test("by hand: a unit the candidate does not sit, a centre without the épreuve role, a centre outside the regroupement, an empty regroupement")
    func manuelRefus() async throws {
        let candidat = Self.candidats(1, de: "0750009Y")
        let regroupement = Regroupement(
            id: UUID(), session: Self.session, libelle: "Paris", specialites: [], uais: ["0750009Y"], departements: [], categories: [],
            unites: [], centres: ["0750001A"], creePar: "test", creeLe: "")
        let vide = Regroupement(
            id: UUID(), session: Self.session, libelle: "Personne", specialites: ["BOULANGER"], uais: [], departements: [], categories: [],
            unites: [], centres: [], creePar: "test", creeLe: "")
        let store = AffectationsEnMemoire(
            session: Self.session,
            centres: [Self.centre("0750001A", [10]), Self.centre("0750002B", [10]), Self.centre("0750003C", [10], roles: [.inscription])],
            epreuves: candidat, regroupements: [regroupement, vide])
        let code = try SessionCode(Self.session)
        func refus(_ travail: () async throws -> Void) async -> String? {
            do { try await travail(); return nil } catch let erreur as ServiceError { return erreur.code } catch { return "\(error)" }
        }
        let regles = Self.regles(store)
        let id = candidat[0].candidature
        #expect(await refus { _ = try await regles.candidat(session: code, candidature: id, centre: "0750001A", unites: ["U99"]) } == "affectation.unite")
        #expect(await refus { _ = try await regles.candidat(session: code, candidature: id, centre: "0750003C", unites: nil) } == "affectation.centre")
        #expect(await refus { _ = try await regles.candidat(session: code, candidature: UUID(), centre: "0750001A", unites: nil) } == "introuvable")
        #expect(await refus { _ = try await regles.regroupement(regroupement, centre: "0750002B") } == "affectation.centre")
        #expect(await refus { _ = try await regles.regroupement(vide, centre: "0750001A") } == "regroupement.vide")
        #expect(await store.epreuves.allSatisfy { $0.centre == nil })
        #expect(try await regles.regroupement(regroupement, centre: "0750001A").count == 1)
        #expect(await store.epreuves.first?.regroupement == regroupement.id)
    }
}
