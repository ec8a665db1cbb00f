import Contracts
import Domain
import Foundation
import Hummingbird
import MoteurDeliberation
import Referentiel
import ServiceKit

/// The jury's sitting, for its président (and the gestionnaire who pilots it):
/// `GET /v1/sessions/:code/jurys/:jury/seance` — the projected deliberation, anonymous until the
/// jury closes (numéros only: no name, birth date or INE), sorted by average, borderline cases
/// marked, the fewest jury points that would change each ajourné's decision;
/// `POST …/interventions` — a point de jury or a decision, with its reason (président);
/// `POST …/cloture` — close and sign (président, or the chef de centre of the jury's centre);
/// `GET …/pv.pdf` — the PV de tenue (a draft, anonymous, before the closing). A chef de centre
/// reads and closes the juries of his centre only.
struct SeanceRoutes: Sendable {
    let seance: Seance
    let jurys: JuryRepository
    let dossiers: DossierRepository
    let journal: Journal
    let referentiel: ReferentielReglementation

    struct DemandeIntervention: Decodable, Sendable {
        var numero: String
        /// The unit whose grade the jury raises; absent to raise the decision.
        var unite: String?
        var note: String?
        var decision: String?
        var motif: String?
    }

    struct Vue: ResponseEncodable, Sendable {
        var jury: Jury
        /// Whether names appear (only once the jury is closed).
        var identitesVisibles: Bool
        var resume: [String: Int]
        var candidats: [Candidat]

        struct Candidat: ResponseEncodable, Sendable {
            var numero: String
            var decision: String
            var libelleDecision: String
            var moyenne: String?
            /// Ajourné with an average of 9 or more: the jury looks at him closely.
            var limite: Bool
            var pointsDeJury: PointsDeJury?
            var explicationPoints: String?
            var decisionDuJury: Bool
            var interventions: [Intervention]
            var unites: [UniteVue]
            var manques: [Dossier.Manque]
            var erreur: String?
            /// Only once the jury is closed.
            var nom: String?
        }

        struct UniteVue: Encodable, Sendable {
            var unite: String
            var coefficient: Int?
            var note: String?
            var statut: String
            var libelleStatut: String
        }
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/jurys/:jury/seance") { _, context -> Vue in
            let appelant = try context.require(.gestionnaire, .admin, .presidentJury, .chefCentre)
            try JuryRoutes.autoriser(appelant, context)
            return try await vue(try await JuryRoutes.jury(context, jurys, pour: appelant))
        }

        group.post("sessions/:code/jurys/:jury/interventions") { request, context -> Vue.Candidat in
            let appelant = try context.require(.presidentJury)
            try JuryRoutes.autoriser(appelant, context)
            let jury = try await JuryRoutes.jury(context, jurys)
            let demande = try Self.demande(try await request.corps(DemandeIntervention.self, limite: 16 << 10))
            let ligne = try await seance.intervenir(jury, demande, par: appelant)
            return Self.candidat(ligne, nom: nil)
        }

        // The président closes and signs; the chef de centre « clôt la délibération de ses jurys ».
        group.post("sessions/:code/jurys/:jury/cloture") { _, context -> Seance.Cloture in
            let appelant = try context.require(.presidentJury, .chefCentre)
            try JuryRoutes.autoriser(appelant, context)
            return try await seance.clore(try await JuryRoutes.jury(context, jurys, pour: appelant), par: appelant)
        }

        group.get("sessions/:code/jurys/:jury/pv.pdf") { _, context -> Response in
            let appelant = try context.require(.gestionnaire, .admin, .presidentJury, .chefCentre)
            try JuryRoutes.autoriser(appelant, context)
            let jury = try await JuryRoutes.jury(context, jurys, pour: appelant)
            let octets = try await pv(jury)
            let nom = "pv-\(jury.session)-\(jury.code)" + (jury.etat == .clos ? "-v\(jury.versionPV)" : "-projet") + ".pdf"
            return Response(
                status: .ok,
                headers: [.contentType: "application/pdf", .contentDisposition: "inline; filename=\"\(nom)\"", .cacheControl: "private, no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: octets)))
        }
    }

    func vue(_ jury: Jury) async throws -> Vue {
        let lignes = try await seance.lignes(jury)
        let visibles = jury.etat == .clos
        let noms = visibles ? try await dossiers.identites(lignes.map(\.dossier.id)) : [:]
        let candidats = lignes.sorted(by: Self.ordre).map { ligne in
            Self.candidat(ligne, nom: noms[ligne.dossier.id].map { "\($0.nomUsage ?? $0.nomFamille) \($0.prenoms)" })
        }
        var resume: [String: Int] = [:]
        for candidat in candidats { resume[candidat.decision, default: 0] += 1 }
        return Vue(jury: jury, identitesVisibles: visibles, resume: resume, candidats: candidats)
    }

    /// Best average first; those without an average after, by numéro.
    static func ordre(_ a: Projection.Ligne, _ b: Projection.Ligne) -> Bool {
        switch (a.deliberation?.moyenne, b.deliberation?.moyenne) {
        case let (x?, y?) where x != y: return x > y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a.dossier.numero < b.dossier.numero
        }
    }

    static func candidat(_ ligne: Projection.Ligne, nom: String?) -> Vue.Candidat {
        let d = ligne.deliberation
        let decision = ligne.complet ? (d?.decision ?? .incomplet) : .incomplet
        return Vue.Candidat(
            numero: ligne.dossier.numero, decision: decision.rawValue, libelleDecision: decision.libelle,
            moyenne: d?.moyenne?.affichage,
            limite: decision == .ajourne && (d?.moyenne?.centiemesTronques ?? 0) >= 900,
            pointsDeJury: d?.pointsDeJury, explicationPoints: d?.pointsDeJury?.explication, decisionDuJury: ligne.decisionDuJury,
            interventions: ligne.interventions,
            unites: (d?.unites ?? []).map {
                .init(unite: $0.unite, coefficient: $0.coefficient, note: Seance.note($0).map { Self.affichage($0) },
                      statut: $0.statut.rawValue, libelleStatut: $0.statut.libelle)
            },
            manques: ligne.manques, erreur: ligne.erreur, nom: nom)
    }

    /// `12.50` → « 12,50 »; codes as they are.
    static func affichage(_ canonique: String) -> String { canonique.replacingOccurrences(of: ".", with: ",") }

    static func demande(_ brute: DemandeIntervention) throws(ServiceError) -> Seance.Demande {
        var v = Verification()
        let numero = brute.numero.trimmingCharacters(in: .whitespaces)
        if numero.isEmpty || numero.count > 20 { v.erreur("numero", "intervention.numero", "Le numéro du candidat est obligatoire (20 caractères au plus).") }
        var unite: String?
        var note: Note?
        if let texte = brute.unite?.trimmingCharacters(in: .whitespaces).uppercased(), !texte.isEmpty {
            if texte.count > 20 { v.erreur("unite", "intervention.unite", "Code d'unité trop long.") }
            unite = String(texte.prefix(20))
            if let saisie = brute.note {
                note = v.champ("note") { () throws(DomainError) in try Note.parse(saisie, pas: .centieme) }
            } else {
                v.erreur("note", "intervention.note", "Indiquez la note que le jury attribue à l'unité \(texte.prefix(20)).")
            }
            if brute.decision != nil { v.erreur("decision", "intervention.double", "Une intervention porte sur une unité ou sur la décision, pas les deux.") }
        } else if brute.decision?.lowercased() != Decision.admis.rawValue {
            v.erreur("decision", "intervention.decision", "Indiquez l'unité dont le jury relève la note, ou la décision « admis ».")
        }
        var motif: String?
        do { motif = try JuryRoutes.motif(brute.motif, obligatoire: true) } catch {
            for detail in error.details { v.erreur(detail.location, detail.code, error.message) }
        }
        try v.verifier()
        return Seance.Demande(numero: numero, unite: unite, note: note, motif: motif ?? "")
    }
}
