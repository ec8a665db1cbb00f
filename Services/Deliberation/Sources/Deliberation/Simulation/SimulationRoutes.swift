import Contracts
import Domain
import Foundation
import Hummingbird
import MoteurDeliberation
import Referentiel
import ServiceKit

/// `GET /v1/sessions/:code/baremes` (the barème of each spécialité of the session's published
/// règlement, what the simulation form lists) and `POST /v1/sessions/:code/simulation` (a
/// situation typed in, deliberated; nothing stored). For the gestionnaire, the présidents de
/// jury, the chefs de centre and the administrator: the règlement is public and no candidate's data is read.
struct SimulationRoutes: Sendable {
    let referentiel: ReferentielReglementation

    struct Baremes: ResponseEncodable, Sendable {
        var session: String
        var versionReglement: Int
        var items: [Specialite]

        struct Specialite: Encodable, Sendable {
            var specialite: String
            var libelle: String
            var bareme: Bareme
        }
    }

    struct ReponseSimulation: ResponseEncodable, Sendable {
        var reponse: Simulation.Reponse
        func encode(to encoder: any Encoder) throws { try reponse.encode(to: encoder) }
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/baremes") { _, context -> Baremes in
            try context.require(.gestionnaire, .presidentJury, .chefCentre, .admin)
            let (session, reglement) = try await reglement(context)
            return Baremes(
                session: session.value, versionReglement: reglement.version,
                items: reglement.specialites.map { offerte in
                    .init(specialite: offerte.reglement.specialite, libelle: offerte.reglement.libelle,
                          bareme: BaremeDuReglement.bareme(offerte))
                })
        }

        group.post("sessions/:code/simulation") { request, context -> ReponseSimulation in
            try context.require(.gestionnaire, .presidentJury, .chefCentre, .admin)
            let demande = try await request.corps(Simulation.Demande.self, limite: 256 << 10)
            let (session, reglement) = try await reglement(context)
            let code = demande.specialite.trimmingCharacters(in: .whitespaces).uppercased()
            guard let bareme = BaremeDuReglement.bareme(code, dans: reglement) else {
                throw ServiceError.invalid(
                    "deliberation.specialite", "La spécialité « \(code.prefix(60)) » n'est pas au règlement de la session \(session).",
                    details: [.init(location: "specialite", code: "deliberation.specialite", message: "Spécialité inconnue dans cette session.")])
            }
            let situation = try Simulation.situation(demande, session: session, aujourdhui: try Self.aujourdhuiOu422())
            let deliberation: Deliberation
            do throws(DomainError) {
                deliberation = try Moteur.deliberer(situation, selon: bareme)
            } catch {
                throw ServiceError(error, field: "resultats")
            }
            context.logger.info("simulation", metadata: [
                "session": "\(session)", "specialite": "\(code)", "decision": "\(deliberation.decision.rawValue)"])
            return ReponseSimulation(reponse: .init(
                session: session.value, versionReglement: reglement.version, bareme: bareme, deliberation: deliberation))
        }
    }

    /// The session code of the path, or a French 422.
    static func session(_ context: ServiceRequestContext) throws(ServiceError) -> SessionCode {
        try ServiceError.validating(field: "code") { () throws(DomainError) in try SessionCode(context.parametre("code")) }
    }

    /// The session of the path and its published règlement, or a French 404.
    private func reglement(_ context: ServiceRequestContext) async throws -> (SessionCode, ReglementPublie) {
        let session = try Self.session(context)
        guard let copie = try await referentiel.session(session) else {
            throw ServiceError.notFound("La session \(session) est inconnue du service des délibérations.")
        }
        guard let reglement = copie.reglement else {
            throw ServiceError.notFound("Le règlement de la session \(session) n'est pas encore publié.")
        }
        return (session, reglement)
    }

    static func aujourdhuiOu422() throws(ServiceError) -> Jour {
        try ServiceError.validating(field: "dateDeliberation") { () throws(DomainError) in try aujourdhui() }
    }

    /// Today in metropolitan France, the default day of a simulated deliberation.
    static func aujourdhui(_ maintenant: Date = Date()) throws(DomainError) -> Jour {
        try Jour(iso: DateFrancaise.jourISO(maintenant))
    }
}
