import Domain
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// `/v1/ressources/:academie/:code`: academic resources printed on documents (deposit:
/// gestionnaire, body = the image; read: gestionnaire, admin, service).
struct RessourceRoutes: Sendable {
    let ressources: RessourceRepository

    static let tailleMaximale = 2 << 20
    static let types = ["image/png", "image/jpeg", "image/svg+xml"]

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.put("ressources/:academie/:code") { request, context -> EditedResponse<Ressource> in
            let caller = try context.require(.gestionnaire)
            let (academie, code) = try Self.cle(context)
            let mediaType = (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            let contenu: ByteBuffer
            do {
                var copie = request
                contenu = try await copie.collectBody(upTo: Self.tailleMaximale)
            } catch {
                throw ServiceError(.contentTooLarge, code: "ressource.taille", message: "Une ressource pèse au plus \(Self.tailleMaximale >> 20) Mio.")
            }
            var v = Verification()
            let libelle = v.champ("libelle") { () throws(DomainError) in
                try Champs.libelle(request.uri.queryParameters.get("libelle") ?? code)
            }
            if !Self.types.contains(mediaType) {
                v.erreur("Content-Type", "ressource.type", "Type « \(mediaType) » refusé : \(Self.types.joined(separator: ", ")).")
            } else if !Self.conforme(contenu, mediaType) {
                v.erreur("corps", "ressource.contenu", "Le contenu n'est pas une image \(mediaType) valide.")
            }
            try v.verifier()
            let (ressource, nouvelle) = try await ressources.deposer(
                academie: academie, code: code, libelle: libelle!, mediaType: mediaType, contenu: contenu, par: caller.subject)
            return EditedResponse(status: nouvelle ? .created : .ok, response: ressource)
        }

        group.get("ressources") { request, context -> Page<Ressource> in
            try context.require(.gestionnaire, .admin, .service)
            let pagination = try Pagination(request)
            let academie = try request.uri.queryParameters.get("academie").map { texte in
                try ServiceError.validating(field: "academie") { () throws(DomainError) in try Champs.academie(texte) }
            }
            let result = try await ressources.liste(academie: academie, pagination: pagination)
            return Page(items: result.items, total: result.total, pagination: pagination)
        }

        group.get("ressources/:academie/:code/versions") { _, context -> Liste<Ressource> in
            try context.require(.gestionnaire, .admin, .service)
            let (academie, code) = try Self.cle(context)
            let versions = try await ressources.versions(academie: academie, code: code)
            guard !versions.isEmpty else { throw Self.inconnue(academie, code) }
            return Liste(items: versions)
        }

        group.get("ressources/:academie/:code") { request, context -> Response in
            try context.require(.gestionnaire, .admin, .service)
            let (academie, code) = try Self.cle(context)
            var version: Int?
            if let texte = request.uri.queryParameters.get("version") {
                guard let valeur = Int(texte), valeur > 0 else {
                    throw ServiceError.invalid(
                        "ressource.version", "Version « \(texte) » invalide : un entier positif est attendu.",
                        details: [.init(location: "version", code: "ressource.version", message: "Entier > 0 attendu.")])
                }
                version = valeur
            }
            guard let (ressource, contenu) = try await ressources.contenu(academie: academie, code: code, version: version) else {
                throw Self.inconnue(academie, code)
            }
            var headers: HTTPFields = [.contentType: ressource.mediaType, .eTag: "\"\(ressource.empreinte)\""]
            headers[HTTPField.Name("X-Ressource-Version")!] = "\(ressource.version)"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: contenu))
        }
    }

    static func cle(_ context: ServiceRequestContext) throws -> (String, String) {
        let academie = try ServiceError.validating(field: "academie") { () throws(DomainError) in try Champs.academie(context.parametre("academie")) }
        let code = context.parametre("code").lowercased()
        guard code.wholeMatch(of: /[a-z0-9][a-z0-9_.\-]{0,59}/) != nil else {
            throw ServiceError.invalid(
                "ressource.code", "Code de ressource « \(code) » invalide : lettres, chiffres, « . », « _ » ou « - » (ex. signature.recteur).",
                details: [.init(location: "code", code: "ressource.code", message: "Code invalide.")])
        }
        return (academie, code)
    }

    static func inconnue(_ academie: String, _ code: String) -> ServiceError {
        ServiceError(.notFound, code: "ressource.inconnue", message: "L'académie \(academie) n'a pas de ressource « \(code) » (ou pas dans cette version).")
    }

    /// The content looks like what its type says (signature bytes, or an `<svg` element).
    static func conforme(_ contenu: ByteBuffer, _ mediaType: String) -> Bool {
        let octets = contenu.getBytes(at: contenu.readerIndex, length: min(contenu.readableBytes, 4096)) ?? []
        switch mediaType {
        case "image/png": return octets.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case "image/jpeg": return octets.starts(with: [0xFF, 0xD8, 0xFF])
        case "image/svg+xml": return String(decoding: octets, as: UTF8.self).contains("<svg")
        default: return false
        }
    }
}
