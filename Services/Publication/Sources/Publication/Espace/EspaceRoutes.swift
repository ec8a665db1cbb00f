import Contracts
import Documents
import Domain
import Foundation
import Hummingbird
import ServiceKit

/// The documents space: `GET /v1/candidats/:id/espace` (a candidate's documents from the other
/// services, of the types not hidden, and his notifications), `GET /v1/candidats/:id/espace/:document`
/// (the aménagement answer as a PDF), and `GET /v1/sessions/:code/espace` (an établissement's
/// students' documents — the aménagement decisions it relays — and its notifications).
struct EspaceRoutes: Sendable {
    let espace: EspaceRepository

    struct EspaceCandidat: ResponseEncodable, Sendable {
        var documents: [EspaceRepository.DocumentEspace]
        var notifications: [EspaceRepository.Notification]
    }

    /// A candidate's routes (outside the closed-session guard: he keeps his documents).
    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("candidats/:id/espace") { _, context -> EspaceCandidat in
            try context.require(.candidat, .gestionnaire, .admin)
            let numero = try context.candidatDuChemin(refus: "Accès refusé : cet espace n'est pas le vôtre.")
            return EspaceCandidat(documents: try await espace.documents(numero: numero),
                                  notifications: try await espace.notifications("candidat:\(numero)"))
        }

        // The aménagement answer's PDF: its candidate, or his établissement (which relays it).
        group.get("candidats/:id/espace/:document") { _, context -> Response in
            let appelant = try context.require(.candidat, .gestionnaire, .admin, .etablissement)
            let numero = try context.candidatDuChemin(refus: "Accès refusé : ce document n'est pas le vôtre.")
            guard let id = UUID(uuidString: context.parametre("document")), let (sien, etablissement, decision) = try await espace.amenagement(id),
                  sien == numero, appelant.role != .etablissement || etablissement.map({ appelant.hasScope("uai", $0) }) == true
            else { throw ServiceError.notFound("Ce document n'existe pas ou n'est pas mis à disposition.") }
            let pdf = try await PDFRenderer.render([Self.reponse(decision)])
            return ExtractionRoutes.fichier(pdf, type: "application/pdf", nom: "amenagement-\(numero).pdf")
        }
    }

    /// The établissement's route (inside the guard: none once the session is closed).
    func addSession(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/espace") { request, context -> EspaceCandidat in
            let appelant = try context.require(.gestionnaire, .admin, .etablissement)
            let session = try context.sessionDuChemin()
            let etablissement = try ExtractionRoutes.etablissement(request, appelant)
            var notifications: [EspaceRepository.Notification] = []
            if let etablissement { notifications = try await espace.notifications("uai:\(etablissement)", session: session.value) }
            return EspaceCandidat(documents: try await espace.documents(session: session.value, etablissement: etablissement),
                                  notifications: notifications)
        }
    }

    /// The answer to an aménagement request, as the candidate and his établissement receive it.
    static func reponse(_ d: AmenagementDecide) -> Document {
        var blocs: [Block] = [
            .fields([
                Field("Candidat", d.numero), Field("Session", d.session.value),
                Field("Décision", d.decision.libelle), Field("Décidé par", d.decidePar),
            ]),
        ]
        if !d.mesures.isEmpty {
            blocs.append(.heading("Mesures accordées"))
            blocs.append(.table(Table(
                columns: [.init("Mesure", width: 2), .init("Précision", width: 3)],
                rows: d.mesures.map { m in
                    [m.type.libelle, [m.majorationPourcent.map { "+\($0) %" }, m.precision].compactMap { $0 }.joined(separator: " — ")]
                })))
        }
        if let motivation = d.motivation { blocs.append(.heading("Motivation")); blocs.append(.paragraph(motivation)) }
        blocs.append(.signature(["Pour le recteur, la division des examens et concours"]))
        return Document(
            title: "Réponse à la demande d'aménagement d'épreuves", issuer: ["Division des examens et concours"],
            reference: "\(d.numero) — \(d.session.value)", blocks: blocs,
            footer: "Les mesures accordées s'appliquent aux épreuves de la session ; l'établissement en est informé.")
    }
}
