import Domain
import Foundation
@testable import Organisation

/// The centres and épreuves-candidats of one session, kept in memory: what
/// `AffectationRepository` and the réglementation copy answer in SQL, so `AffectationCentres` is
/// checked without a database.
actor AffectationsEnMemoire: AffectationStore {
    /// One ponctual épreuve-candidat, with what its candidature says of the candidate.
    struct Epreuve: Sendable {
        var candidature: UUID
        var unite: String
        var specialite = "COIFFURE"
        /// The sitting's date and time; nil while undated.
        var debut: String? = "2027-06-09T09:00"
        /// The établissement (nil for a candidat individuel) and its département.
        var uai: String?
        var departement: String?
        var categorie = "apprenti"
        var salleSeparee = false
        var majoration = 0
        var annulee = false
        var centre: String?
        var regroupement: UUID?
        var origine: String?
        var motif: String?

        var seance: String { debut ?? "\(specialite)/\(unite)" }
    }

    let session: String
    let centres: [CentreEpreuve]
    let regroupements: [Regroupement]
    private(set) var epreuves: [Epreuve]

    init(session: String, centres: [CentreEpreuve], epreuves: [Epreuve], regroupements: [Regroupement] = []) {
        self.session = session
        self.centres = centres
        self.epreuves = epreuves
        self.regroupements = regroupements
    }

    func centresEpreuve(session: SessionCode, parmi autorises: [String]) async throws -> [CentreEpreuve] {
        centres.filter { $0.estCentreEpreuve && (autorises.isEmpty || autorises.contains($0.uai)) }
    }

    func centre(_ uai: String, session: SessionCode) async throws -> CentreEpreuve? {
        centres.first { $0.uai == uai }
    }

    func aPlacer(session: String, regroupement: UUID?, reprendre: Bool, candidature: UUID?) async throws -> [AffectationRepository.EpreuveAPlacer] {
        let regroupement = regroupement.flatMap { id in regroupements.first { $0.id == id } }
        return epreuves
            .filter { e in
                session == self.session && !e.annulee && (reprendre || e.centre == nil)
                    && (candidature == nil || e.candidature == candidature) && (regroupement.map { Self.tient(e, $0) } ?? true)
            }
            .sorted { ($0.candidature.uuidString, $0.unite) < ($1.candidature.uuidString, $1.unite) }
            .map {
                .init(candidature: $0.candidature, unite: $0.unite, specialite: $0.specialite, debut: $0.debut, centre: $0.centre,
                      uai: $0.uai, departement: $0.departement, salleSeparee: $0.salleSeparee, majoration: $0.majoration)
            }
    }

    /// The regroupement's criteria (`AffectationRepository.condition`): empty = any.
    static func tient(_ e: Epreuve, _ r: Regroupement) -> Bool {
        (r.specialites.isEmpty || r.specialites.contains(e.specialite))
            && (r.uais.isEmpty || e.uai.map(r.uais.contains) == true)
            && (r.departements.isEmpty || e.departement.map(r.departements.contains) == true)
            && (r.categories.isEmpty || r.categories.contains(e.categorie))
            && (r.unites.isEmpty || r.unites.contains(e.unite))
    }

    func charges(session: String) async throws -> [String: [String: Besoin]] {
        var charges: [String: [String: Besoin]] = [:]
        for e in epreuves where session == self.session && !e.annulee {
            guard let centre = e.centre else { continue }
            charges[centre, default: [:]][e.seance, default: Besoin()] = charges[centre, default: [:]][e.seance, default: Besoin()]
                + .candidat(salleSeparee: e.salleSeparee, majoration: e.majoration)
        }
        return charges
    }

    func placer(_ placements: [(candidature: UUID, unite: String, centre: String)], regroupement: UUID?, origine: String) async throws {
        for p in placements {
            for i in epreuves.indices where epreuves[i].candidature == p.candidature && epreuves[i].unite == p.unite {
                epreuves[i].centre = p.centre
                epreuves[i].regroupement = regroupement ?? epreuves[i].regroupement
                epreuves[i].origine = origine
                epreuves[i].motif = nil
            }
        }
    }

    func nonPlacees(_ motifs: [(candidature: UUID, unite: String, motif: String)]) async throws {
        for m in motifs {
            for i in epreuves.indices where epreuves[i].candidature == m.candidature && epreuves[i].unite == m.unite {
                epreuves[i].centre = nil
                epreuves[i].origine = nil
                epreuves[i].motif = m.motif
            }
        }
    }
}
