import Contracts
import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/sessions/:code/specialites`, `/pieces`, `/reglement`: the local adaptations of a session
/// and the publication of its règlement (writes: gestionnaire; reads: gestionnaire, admin,
/// service).
struct AdaptationRoutes: Sendable {
    let adaptations: AdaptationRepository
    let publications: PublicationRepository

    struct OffreRequest: Decodable {
        var version: Int?
        var options: [String]?
    }

    struct PiecesRequest: Decodable {
        struct Piece: Decodable {
            var code: String
            var libelle: String
            var categories: [String]
            var obligatoire: Bool?
        }
        var pieces: [Piece]
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/specialites") { _, context -> Liste<OffreSpecialite> in
            try context.require(.gestionnaire, .admin, .service)
            let code = try SessionRoutes.code(context)
            return Liste(items: try await adaptations.offres(code))
        }

        group.put("sessions/:code/specialites/:specialite") { request, context -> OffreSpecialite in
            let caller = try context.require(.gestionnaire)
            let code = try SessionRoutes.code(context)
            let specialite = context.parametre("specialite").uppercased()
            let body = try await request.corps(OffreRequest.self)
            if let version = body.version, version <= 0 {
                throw ServiceError.invalid(
                    "reglement.version", "La version doit être un entier strictement positif.",
                    details: [.init(location: "version", code: "reglement.version", message: "Entier > 0 attendu.")])
            }
            return try await adaptations.offrir(specialite, version: body.version, options: body.options, session: code, par: caller.subject)
        }

        group.delete("sessions/:code/specialites/:specialite") { _, context -> HTTPResponse.Status in
            try context.require(.gestionnaire)
            let code = try SessionRoutes.code(context)
            let specialite = context.parametre("specialite").uppercased()
            guard try await adaptations.retirer(specialite, session: code) else {
                throw ServiceError(.notFound, code: "specialite.non_offerte", message: "La spécialité \(specialite) n'est pas offerte dans la session \(code.value).")
            }
            return .noContent
        }

        group.get("sessions/:code/pieces") { _, context -> Liste<PieceJustificative> in
            try context.require(.gestionnaire, .admin, .service)
            return Liste(items: try await adaptations.pieces(try SessionRoutes.code(context)))
        }

        group.put("sessions/:code/pieces") { request, context -> Liste<PieceJustificative> in
            try context.require(.gestionnaire)
            let code = try SessionRoutes.code(context)
            let pieces = try Self.verifier(try await request.corps(PiecesRequest.self))
            try await adaptations.definirPieces(pieces, session: code)
            return Liste(items: pieces)
        }

        group.post("sessions/:code/reglement/publication") { _, context -> EditedResponse<ReglementPublie> in
            let caller = try context.require(.gestionnaire)
            let publication = try await publications.publier(try SessionRoutes.code(context), par: caller.subject)
            return EditedResponse(status: .created, response: publication)
        }

        group.get("sessions/:code/reglement") { _, context -> ReglementPublie in
            try context.require(.gestionnaire, .admin, .service)
            let code = try SessionRoutes.code(context)
            guard let derniere = try await publications.derniere(code) else {
                throw ServiceError(.notFound, code: "reglement.non_publie", message: "Le règlement de la session \(code.value) n'a pas encore été publié.")
            }
            return derniere.contenu
        }
    }

    static func verifier(_ body: PiecesRequest) throws -> [PieceJustificative] {
        var v = Verification()
        var pieces: [PieceJustificative] = []
        var codes: Set<String> = []
        for (index, piece) in body.pieces.enumerated() {
            let prefixe = "pieces[\(index)]"
            let code = v.champ("\(prefixe).code") { () throws(DomainError) in try Champs.code(piece.code, nom: "Le code de pièce", code: "piece.code") }
            let libelle = v.champ("\(prefixe).libelle") { () throws(DomainError) in try Champs.libelle(piece.libelle) }
            var categories: [CategorieCandidat] = []
            for texte in piece.categories {
                if let categorie = CategorieCandidat(rawValue: texte) {
                    if !categories.contains(categorie) { categories.append(categorie) }
                } else {
                    v.erreur("\(prefixe).categories", "piece.categorie", "Catégorie « \(texte) » inconnue : \(CategorieCandidat.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
            }
            if piece.categories.isEmpty {
                v.erreur("\(prefixe).categories", "piece.categorie", "Indiquez au moins une catégorie de candidats concernée.")
            }
            if let code, !codes.insert(code).inserted {
                v.erreur("\(prefixe).code", "piece.doublon", "La pièce \(code) figure deux fois dans la liste.")
            }
            if let code, let libelle {
                pieces.append(PieceJustificative(code: code, libelle: libelle, categories: categories.sorted(), obligatoire: piece.obligatoire ?? true))
            }
        }
        try v.verifier()
        return pieces
    }
}

extension OffreSpecialite: ResponseEncodable {}
extension ReglementPublie: ResponseEncodable {}
