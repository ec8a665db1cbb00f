import Domain
import Foundation
import Messaging

/// `publication.resultat.publie` v1 — a candidate's result made public, for outside bodies
/// (licensed re-users), on the exchange `cyclades.resultats` with the routing key
/// `<académie>.<spécialité>.<décision>` (`A13.BOULANGER.admis`): a subscriber binds its own
/// queue to the académies, spécialités and decisions it wants. Only candidates who consented to
/// the publication of their name are sent; grades never are. A result revised after release
/// (reopened jury) comes again with a higher `revision`; a subscriber keeps the highest.
public struct ResultatPublie: MessageContract, Equatable {
    public static let type = "publication.resultat.publie"
    public static let version = 1

    public var session: SessionCode
    public var academie: String
    public var specialite: String
    public var numero: String
    public var nomFamille: String
    public var nomUsage: String?
    public var prenoms: String
    /// `admis`, `ajourne`, `en_cours`, `absent`.
    public var decision: String
    /// The établissement d'inscription (none for Grand Public).
    public var etablissement: UAI?
    public var sessionDeRemplacement: Bool
    public var revision: Int
    /// When the result was made public (`publieLe` of its first release, or of this revision).
    public var publieLe: Date

    public init(
        session: SessionCode, academie: String, specialite: String, numero: String, nomFamille: String, nomUsage: String?,
        prenoms: String, decision: String, etablissement: UAI?, sessionDeRemplacement: Bool, revision: Int, publieLe: Date
    ) {
        self.session = session
        self.academie = academie
        self.specialite = specialite
        self.numero = numero
        self.nomFamille = nomFamille
        self.nomUsage = nomUsage
        self.prenoms = prenoms
        self.decision = decision
        self.etablissement = etablissement
        self.sessionDeRemplacement = sessionDeRemplacement
        self.revision = revision
        self.publieLe = publieLe
    }

    /// `<académie>.<spécialité>.<décision>` on `cyclades.resultats`.
    public var routingKey: String { "\(academie).\(specialite).\(decision)" }
}
