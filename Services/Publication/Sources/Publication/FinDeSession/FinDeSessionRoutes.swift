import Documents
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Messaging
import ServiceKit

/// Fin de session: `POST /v1/sessions/:code/documents/generation` (« Génère les documents »: the
/// gestionnaire, once the results are released), a candidate's documents
/// (`GET /v1/candidats/:id/documents`, `…/documents/:document` the PDF: his own, even after the
/// session's closing), and the public check of a verification code
/// (`GET /v1/public/verification/:code`: the gateway only; the holder's name, spécialité and
/// session, nothing else).
struct FinDeSessionRoutes: Sendable {
    let documents: DocumentRepository
    let publications: PublicationRepository
    let outbox: OutboxWriter
    /// Printed on each document: where a third party checks its code.
    let adresseVerification: String

    struct Documents: ResponseEncodable, Sendable {
        var items: [DocumentRepository.DocumentCandidat]
    }

    struct Verification: ResponseEncodable, Sendable {
        var document: String
        var valide: Bool
        var titulaire: String
        var specialite: String
        var session: String
        var message: String
    }

    /// The gestionnaire's action (inside the closed-session guard).
    func addGestion(to group: RouterGroup<ServiceRequestContext>) {
        group.post("sessions/:code/documents/generation") { _, context -> DocumentRepository.Generation in
            let appelant = try context.require(.gestionnaire)
            let session = try context.sessionDuChemin()
            guard let etat = try await publications.etat(session) else {
                throw ServiceError.notFound("La session \(session) est inconnue du service de publication.")
            }
            guard etat.publieeLe != nil else {
                throw ServiceError.conflict("documents.embargo", "Les résultats de la session \(session) ne sont pas publiés : les documents ne peuvent pas encore être générés.")
            }
            let generation = try await documents.generer(session, outbox: outbox)
            context.logger.notice("end-of-session documents generated", metadata: [
                "session": "\(session)", "par": "\(appelant.subject)", "releves": "\(generation.releves)",
                "attestations": "\(generation.attestations)", "diplomes": "\(generation.diplomes)", "remplaces": "\(generation.remplaces)"])
            return generation
        }

        // « Edite en masse les documents à remettre à ses élèves »: one PDF, an établissement's
        // students' current documents of a type (not of a hidden type), by name.
        group.get("sessions/:code/documents.pdf") { request, context -> Response in
            let appelant = try context.require(.gestionnaire, .admin, .etablissement)
            let session = try context.sessionDuChemin()
            let texte = request.uri.queryParameters.get("type") ?? "releve"
            guard let type = DocumentRepository.TypeDocument(rawValue: texte) else {
                throw ServiceError.invalid("document.type", "Type de document « \(texte) » inconnu : releve, attestation ou diplome.",
                                           details: [.init(location: "type", code: "document.type", message: "releve, attestation ou diplome.")])
            }
            let etablissement = try ExtractionRoutes.etablissement(request, appelant)
            let contenus = try await documents.aRemettre(session, type: type, etablissement: etablissement, limite: Self.enMasseMaximum + 1)
            guard contenus.count <= Self.enMasseMaximum else {
                throw ServiceError.invalid("documents.nombre", "Plus de \(Self.enMasseMaximum) documents : choisissez un établissement (etablissement=UAI).")
            }
            guard !contenus.isEmpty else {
                throw ServiceError.notFound("Aucun document de ce type à remettre (non générés, masqués, ou aucun élève concerné).")
            }
            let pdf = try await PDFRenderer.render(contenus.map { DocumentsFinDeSession.document($0, adresseVerification: adresseVerification) })
            return ExtractionRoutes.fichier(pdf, type: "application/pdf",
                                            nom: "\(type.rawValue)s-\(session.value)\(etablissement.map { "-\($0)" } ?? "").pdf")
        }

        // « Peut masquer ou rendre visible du candidat et de l'établissement un type de document publié ».
        group.get("sessions/:code/documents/masques") { _, context -> TypesMasques in
            try context.require(.gestionnaire, .admin)
            return TypesMasques(masques: try await documents.typesMasques(try context.sessionDuChemin()))
        }
        group.put("sessions/:code/documents/:type/masquage") { request, context -> TypesMasques in
            let appelant = try context.require(.gestionnaire)
            let session = try context.sessionDuChemin()
            let type = context.parametre("type")
            guard Self.typesMasquables.contains(type) else {
                throw ServiceError.invalid(
                    "document.type", "Type de document « \(type) » inconnu : \(Self.typesMasquables.joined(separator: ", ")).",
                    details: [.init(location: "type", code: "document.type", message: Self.typesMasquables.joined(separator: ", "))])
            }
            let masquage = try await request.corps(Masquage.self)
            guard try await publications.etat(session) != nil else {
                throw ServiceError.notFound("La session \(session) est inconnue du service de publication.")
            }
            try await documents.masquer(type, session: session, masque: masquage.masque, par: appelant.subject)
            context.logger.notice("document type visibility changed", metadata: [
                "session": "\(session)", "type": "\(type)", "masque": "\(masquage.masque)", "par": "\(appelant.subject)"])
            return TypesMasques(masques: try await documents.typesMasques(session))
        }
    }

    /// Every type of document the gestionnaire may hide: the end-of-session ones and the space's.
    static let typesMasquables = ["releve", "attestation", "diplome", "convocation", "amenagement"]

    /// Documents in one merged PDF, at most.
    static let enMasseMaximum = 3000

    struct Masquage: Decodable, Sendable {
        var masque: Bool
    }

    struct TypesMasques: ResponseEncodable, Sendable {
        var masques: [String]
    }

    /// The candidate's and the public's routes (outside the guard: a candidate keeps his
    /// documents after the closing).
    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("candidats/:id/documents") { _, context -> Documents in
            try context.require(.candidat, .gestionnaire, .admin)
            let numero = try context.candidatDuChemin(refus: "Accès refusé : ces documents ne sont pas les vôtres.")
            return Documents(items: try await documents.documents(numero: numero))
        }

        group.get("candidats/:id/documents/:document") { _, context -> Response in
            try context.require(.candidat, .gestionnaire, .admin)
            let numero = try context.candidatDuChemin(refus: "Accès refusé : ce document n'est pas le vôtre.")
            guard let id = UUID(uuidString: context.parametre("document")) else {
                throw ServiceError.invalid("document.identifiant", "Identifiant de document invalide.",
                                           details: [.init(location: "document", code: "document.identifiant", message: "UUID attendu.")])
            }
            guard let contenu = try await documents.contenu(id: id), contenu.numero == numero, !contenu.remplace,
                  !contenu.masque || context.identity?.role != .candidat
            else {
                throw ServiceError.notFound("Ce document n'existe pas (ou a été remplacé par une version plus récente, ou n'est pas mis à disposition).")
            }
            let pdf = try await PDFRenderer.render([DocumentsFinDeSession.document(contenu, adresseVerification: adresseVerification)])
            return Response(
                status: .ok,
                headers: [.contentType: "application/pdf", .contentDisposition: "attachment; filename=\"\(contenu.type.rawValue)-\(numero).pdf\"",
                          .cacheControl: "private, no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: pdf)))
        }

        group.get("public/verification/:code") { _, context -> Verification in
            try context.require(.service)
            let code = context.parametre("code").uppercased()
            guard code.count <= 19, let contenu = try await documents.contenu(code: code) else {
                throw ServiceError.notFound("Aucun document ne porte ce code de vérification.")
            }
            let nom = "\(contenu.nomUsage ?? contenu.nomFamille) \(contenu.prenoms)"
            return Verification(
                document: contenu.type.libelle, valide: !contenu.remplace, titulaire: nom, specialite: contenu.resultat.specialite,
                session: contenu.sessionLibelle,
                message: contenu.remplace
                    ? "Ce document a été remplacé par une version plus récente : il n'est plus valable."
                    : "Ce document a bien été délivré par la division des examens et concours.")
        }
    }
}
