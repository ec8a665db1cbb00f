/// The step services of a session, each opened and closed by the gestionnaire (DOMAIN.md "The
/// steps"). The raw value is the contract's spelling.
public enum ServiceEtape: String, Codable, Sendable, CaseIterable, Comparable {
    case reglementation
    case inscriptionEtablissement = "inscription_etablissement"
    case inscriptionGrandPublic = "inscription_grand_public"
    case organisation
    case collecteNotes = "collecte_notes"
    case deliberation
    case publication
    case extractionEtablissement = "extraction_etablissement"

    /// French label: « inscription Grand Public ».
    public var libelle: String {
        switch self {
        case .reglementation: "réglementation"
        case .inscriptionEtablissement: "inscription établissement"
        case .inscriptionGrandPublic: "inscription Grand Public"
        case .organisation: "organisation"
        case .collecteNotes: "collecte des notes"
        case .deliberation: "délibération"
        case .publication: "publication"
        case .extractionEtablissement: "extraction établissement"
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The steps whose end is notified outside (IMAG'IN): `reglementation.etape.terminee`.
public enum EtapeSession: String, Codable, Sendable, CaseIterable {
    case reglementation
    case organisation
    case notation
}
