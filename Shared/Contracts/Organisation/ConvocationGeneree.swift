import Domain
import Foundation
import Messaging

/// `organisation.convocation.generee` v1 — a candidate's convocation (all his épreuves) was
/// generated or regenerated after a change; publication puts it in his document space.
public struct ConvocationGeneree: MessageContract, Equatable {
    public static let type = "organisation.convocation.generee"
    public static let version = 1

    public var session: SessionCode
    public var candidature: UUID
    public var numeroCandidat: String
    public var etablissement: UAI?
    public var version: Int
    /// What changed since the previous version, in French (nil for the first).
    public var changement: String?
    /// Where the PDF is read (organisation's API path).
    public var document: String

    public init(session: SessionCode, candidature: UUID, numeroCandidat: String, etablissement: UAI?, version: Int, changement: String?, document: String) {
        self.session = session
        self.candidature = candidature
        self.numeroCandidat = numeroCandidat
        self.etablissement = etablissement
        self.version = version
        self.changement = changement
        self.document = document
    }
}
