import Documents
import Domain
import Foundation
import Hummingbird
import ServiceKit

/// What every route reads the same way: the session of the path, an id, a UAI, codes of the
/// query string, and PDF answers.
enum Requetes {
    static func session(_ context: ServiceRequestContext) throws -> SessionCode {
        try ServiceError.validating(field: "code") { () throws(DomainError) in try SessionCode(context.parametre("code")) }
    }

    static func uuid(_ context: ServiceRequestContext, _ nom: String = "id", quoi: String) throws -> UUID {
        guard let id = UUID(uuidString: context.parametre(nom)) else {
            throw ServiceError(.notFound, code: "\(quoi).inconnu", message: "Identifiant « \(context.parametre(nom)) » invalide.")
        }
        return id
    }

    static func uai(_ texte: String, champ: String) throws -> String {
        try ServiceError.validating(field: champ) { () throws(DomainError) in try UAI(texte) }.value
    }

    /// An optional code (spécialité, unité) of the query string, uppercased and checked.
    static func code(_ request: Request, _ nom: String, _ v: inout Verification) -> String? {
        guard let texte = request.uri.queryParameters.get(nom), !texte.isEmpty else { return nil }
        return v.champ(nom) { () throws(DomainError) in try Champs.code(texte, nom: nom == "specialite" ? "Code de spécialité" : "Code d'unité", code: "filtre.\(nom)") }
    }

    static func codeObligatoire(_ texte: String?, _ champ: String, nom: String, _ v: inout Verification) -> String? {
        guard let texte, !texte.isEmpty else {
            v.erreur(champ, "champ.manquant", "Le champ « \(champ) » est obligatoire.")
            return nil
        }
        return v.champ(champ) { () throws(DomainError) in try Champs.code(texte, nom: nom, code: "\(champ).format") }
    }

    static func uaiFacultative(_ request: Request, _ nom: String, _ v: inout Verification) -> String? {
        guard let texte = request.uri.queryParameters.get(nom), !texte.isEmpty else { return nil }
        return v.champ(nom) { () throws(DomainError) in try UAI(texte) }?.value
    }

    static func pdf(_ octets: [UInt8], nom: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/pdf", .contentDisposition: "inline; filename=\"\(nom)\"", .cacheControl: "private, no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: octets)))
    }

    static func pdf(_ documents: [Document], nom: String) async throws -> Response {
        pdf(try await PDFRenderer.render(documents), nom: nom)
    }

    /// The UAIs an établissement caller may ask for, checked against what it asked.
    static func uaisPermises(_ appelant: InternalIdentity, demandee: String?) throws -> [String]? {
        switch appelant.role {
        case .etablissement:
            let propres = Portee.uais(appelant)
            if let demandee { guard propres.contains(demandee) else { throw ServiceError.forbidden("Accès refusé : l'établissement \(demandee) n'est pas de votre ressort.") }; return [demandee] }
            return propres
        default:
            return demandee.map { [$0] }
        }
    }
}
