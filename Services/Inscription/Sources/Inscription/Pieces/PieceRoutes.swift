import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/candidatures/:id/pieces`, `/v1/pieces/:id…`: upload (raw body, type sniffed), the list
/// of what is expected and received, the content (owner, établissement, gestionnaire only), the
/// gestionnaire's decision.
struct PieceRoutes: Sendable {
    let pieces: PieceRepository
    let inscriptions: Inscriptions

    struct Decision: Decodable {
        var statut: String?
        var motif: String?
    }

    /// What a candidature is expected to give, with where each one stands.
    struct Attendue: Encodable {
        var type: String
        var libelle: String
        var obligatoire: Bool
        /// `attendue`, `recue`, `acceptee` or `refusee` (the last piece of that type decides).
        var statut: String
    }

    struct Dossier: ResponseEncodable {
        var attendues: [Attendue]
        var deposees: [Piece]
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("candidatures/:id/pieces") { request, context -> EditedResponse<Piece> in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat)
            let id = try CandidatureRoutes.id(context)
            let query = request.uri.queryParameters
            let type = (query.get("type") ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            let nom = query.get("nom") ?? "piece"
            var corps = request
            let tampon: ByteBuffer
            do {
                tampon = try await corps.collectBody(upTo: PieceRepository.tailleMaximale + 1)
            } catch {
                throw ServiceError(.contentTooLarge, code: "piece.trop_grande", message: "Une pièce pèse au plus \(PieceRepository.tailleMaximale >> 20) Mio.")
            }
            // Read outside the transaction (which must never borrow a second connection).
            let types = try await self.typesAdmis(try await inscriptions.candidature(id, pour: appelant))
            let piece = try await inscriptions.database.transaction { connection in
                let candidature = try await inscriptions.pourAgir(id, appelant, on: connection)
                guard candidature.etat != .annulee else { throw Inscriptions.annulee(candidature) }
                guard types.keys.contains(type) else {
                    throw ServiceError.invalid("piece.type", "Type de pièce « \(type) » inconnu : \(types.keys.sorted().joined(separator: ", ")).",
                                               details: [.init(location: "type", code: "piece.type", message: "Type de pièce inconnu.")])
                }
                let piece = try await pieces.deposer(
                    candidature: id, type: type, nomFichier: nom, octets: Array(buffer: tampon), par: appelant.subject, on: connection)
                try await inscriptions.candidatures.noter(id, "piece_deposee", par: appelant,
                                                          detail: ["piece": .init(avant: nil, apres: "\(type) \(piece.nomFichier)")], on: connection)
                return piece
            }
            return EditedResponse(status: .created, response: piece)
        }

        group.get("candidatures/:id/pieces") { _, context -> Dossier in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat, .admin)
            let candidature = try await inscriptions.candidature(try CandidatureRoutes.id(context), pour: appelant)
            let deposees = try await pieces.liste(candidature.id)
            let attendues = try await self.attendues(candidature).map { type, libelle, obligatoire in
                Attendue(type: type, libelle: libelle, obligatoire: obligatoire,
                         statut: deposees.last { $0.type == type }?.statut ?? "attendue")
            }
            return Dossier(attendues: attendues, deposees: deposees)
        }

        group.get("pieces/:piece/contenu") { _, context -> Response in
            // Never admin nor another service: only who the piece concerns and the gestionnaire.
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat)
            let (piece, _) = try await self.piece(context, appelant, ecriture: false)
            guard let octets = try await pieces.contenu(piece.id) else { throw Self.inconnue }
            return Response(
                status: .ok,
                headers: [.contentType: piece.mediaType, .contentDisposition: "attachment; filename=\"\(piece.nomFichier)\"",
                          .cacheControl: "private, no-store", .init("X-Content-Type-Options")!: "nosniff"],
                body: .init(byteBuffer: octets))
        }

        group.post("pieces/:piece/decision") { request, context -> Piece in
            let appelant = try context.require(.gestionnaire)
            let (piece, _) = try await self.piece(context, appelant, ecriture: true)
            let decision = try await request.corps(Decision.self)
            var v = Verification()
            let statut = decision.statut ?? ""
            if !["acceptee", "refusee"].contains(statut) { v.erreur("statut", "piece.statut", "Décision « \(statut) » inconnue : acceptee ou refusee.") }
            let motif = decision.motif?.trimmingCharacters(in: .whitespacesAndNewlines)
            if statut == "refusee" && (motif ?? "").isEmpty { v.erreur("motif", "piece.motif", "Un refus de pièce est motivé : indiquez au candidat ce qui ne va pas.") }
            try v.verifier()
            return try await inscriptions.database.transaction { connection in
                try await pieces.decider(piece.id, statut: statut, motif: statut == "refusee" ? motif : nil, par: appelant.subject, on: connection)
                try await inscriptions.candidatures.noter(piece.candidature, "piece_\(statut)", par: appelant,
                                                          detail: ["piece": .init(avant: piece.statut, apres: "\(piece.type) \(statut)\(motif.map { " : \($0)" } ?? "")")],
                                                          on: connection)
                guard let apres = try await pieces.lire(piece.id, on: connection) else { throw Self.inconnue }
                return apres
            }
        }
    }

    static let inconnue = ServiceError(.notFound, code: "piece.inconnue", message: "Cette pièce n'existe pas.")

    /// The piece of the path, when the caller may see its candidature.
    private func piece(_ context: ServiceRequestContext, _ appelant: InternalIdentity, ecriture: Bool) async throws -> (Piece, Candidature) {
        guard let id = UUID(uuidString: context.parametre("piece")), let piece = try await pieces.lire(id) else { throw Self.inconnue }
        guard let candidature = try await inscriptions.candidatures.lire(piece.candidature), Portee.peutAgir(appelant, candidature) else {
            throw Portee.refus
        }
        try await inscriptions.verifierSessionClose(candidature, appelant, ecriture: ecriture)
        return (piece, candidature)
    }

    /// The types a candidature may upload: the règlement's list for its category, plus the
    /// justifications of dispenses, bénéfices and aménagements.
    private func typesAdmis(_ candidature: Candidature) async throws -> [String: String] {
        var types: [String: String] = [
            TypePiece.dispense: "Justificatif de dispense (diplôme, relevé)",
            TypePiece.benefice: "Relevé de notes du bénéfice",
            TypePiece.avisMedical: "Avis médical (aménagements)",
        ]
        let session = try await inscriptions.session(try .init(candidature.session))
        for piece in session.reglement?.piecesJustificatives ?? [] { types[piece.code] = piece.libelle }
        return types
    }

    private func attendues(_ candidature: Candidature) async throws -> [(String, String, Bool)] {
        let session = try await inscriptions.session(try .init(candidature.session))
        let categorie = candidature.categorieReglementaire ?? (candidature.categorie == .individuel ? .individuel : nil)
        var attendues = (session.reglement?.piecesJustificatives ?? [])
            .filter { piece in categorie.map { piece.categories.contains($0) } ?? true }
            .map { ($0.code, $0.libelle, $0.obligatoire) }
        if !candidature.dispenses.isEmpty { attendues.append((TypePiece.dispense, "Justificatif de dispense (diplôme, relevé)", true)) }
        if !candidature.benefices.isEmpty { attendues.append((TypePiece.benefice, "Relevé de notes du bénéfice", true)) }
        if candidature.amenagementDemande { attendues.append((TypePiece.avisMedical, "Avis médical (aménagements)", true)) }
        return attendues
    }
}
