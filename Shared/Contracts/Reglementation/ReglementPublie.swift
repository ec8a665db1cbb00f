import Domain
import Foundation
import Messaging

/// `reglementation.publiee` v1 — the règlement of a session, published by the gestionnaire:
/// the full content (every spécialité offered in the académie with its national règlement,
/// the options offered, the required pièces justificatives). Each publication of a session
/// has a higher `version`; a consumer keeps its own copy and replaces an older one.
public struct ReglementPublie: MessageContract, Equatable {
    public static let type = "reglementation.publiee"
    public static let version = 1

    public var session: SessionCode
    public var academie: String
    /// 1, 2, … per session.
    public var version: Int
    public var publiePar: String
    public var specialites: [SpecialiteOfferte]
    public var piecesJustificatives: [PieceJustificative]

    public init(
        session: SessionCode, academie: String, version: Int, publiePar: String,
        specialites: [SpecialiteOfferte], piecesJustificatives: [PieceJustificative]
    ) {
        self.session = session
        self.academie = academie
        self.version = version
        self.publiePar = publiePar
        self.specialites = specialites
        self.piecesJustificatives = piecesJustificatives
    }
}

/// A spécialité offered in the académie for a session: its national règlement and the codes of
/// the option units offered locally (all the options when the académie restricts none).
public struct SpecialiteOfferte: Codable, Sendable, Equatable {
    public var reglement: Reglement
    public var optionsOffertes: [String]

    public init(reglement: Reglement, optionsOffertes: [String]) {
        self.reglement = reglement
        self.optionsOffertes = optionsOffertes
    }
}

/// A supporting document candidates of some categories must give.
public struct PieceJustificative: Codable, Sendable, Equatable {
    public var code: String
    public var libelle: String
    public var categories: [CategorieCandidat]
    public var obligatoire: Bool

    public init(code: String, libelle: String, categories: [CategorieCandidat], obligatoire: Bool) {
        self.code = code
        self.libelle = libelle
        self.categories = categories
        self.obligatoire = obligatoire
    }
}
