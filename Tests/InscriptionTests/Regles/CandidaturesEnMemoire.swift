import Foundation
@testable import Inscription

/// The candidatures the registration rules read, kept in memory: what `CandidatureRepository`
/// answers in SQL, so `ControleCandidature` is checked without a database.
struct CandidaturesEnMemoire: CandidatureStore {
    struct Inscrite: Sendable {
        var id = UUID()
        var numero: String
        var session: String
        var candidat: UUID
        var cleIdentite: String
        var specialite = "COIFFURE"
        var annulee = false
    }

    struct Piece: Sendable {
        var candidature: UUID
        var type: String
        var refusee = false
    }

    var inscrites: [Inscrite] = []
    var pieces: [Piece] = []

    func autreCandidature(candidat: UUID, session: String, sauf: UUID?) async throws -> (numero: String, specialite: String)? {
        inscrites.first { $0.candidat == candidat && $0.session == session && !$0.annulee && $0.id != sauf }.map { ($0.numero, $0.specialite) }
    }

    func homonyme(cle: String, candidat: UUID, session: String) async throws -> String? {
        inscrites.filter { $0.cleIdentite == cle && $0.candidat != candidat && $0.session == session && !$0.annulee }.map(\.numero).min()
    }

    func piecesValables(_ candidature: UUID) async throws -> Set<String> {
        Set(pieces.filter { $0.candidature == candidature && !$0.refusee }.map(\.type))
    }
}
