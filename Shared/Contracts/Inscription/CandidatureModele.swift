import Domain
import Foundation

// Values shared by the candidature messages (`inscription.*`).

/// How a candidate prepares the diploma, as he declares it at registration. The règlement's
/// finer category (`CategorieCandidat`) follows from it and his établissement's habilitations.
public enum CategorieInscription: String, Codable, Sendable, CaseIterable, Comparable {
    case apprenti
    /// Formation professionnelle continue.
    case fpc
    case enseignementADistance = "enseignement_distance"
    /// Grand Public: registers himself, with no établissement.
    case individuel

    public var libelle: String {
        switch self {
        case .apprenti: "apprenti"
        case .fpc: "formation professionnelle continue"
        case .enseignementADistance: "enseignement à distance"
        case .individuel: "individuel (Grand Public)"
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Globale (every unit in one session) or progressive (units spread over sessions). Final once
/// the candidature is validated; apprentices take the forme globale.
public enum FormePassage: String, Codable, Sendable, CaseIterable {
    case globale
    case progressive

    public var libelle: String { self == .globale ? "forme globale" : "forme progressive" }
}

public enum Sexe: String, Codable, Sendable, CaseIterable {
    case masculin = "M"
    case feminin = "F"
}

/// Who the candidate is, as the candidature messages carry it.
public struct IdentiteCandidat: Codable, Sendable, Equatable {
    public var nomFamille: String
    public var nomUsage: String?
    /// First names, in civil-status order, separated by spaces.
    public var prenoms: String
    public var sexe: Sexe
    /// `YYYY-MM-DD`.
    public var dateNaissance: String
    public var communeNaissance: String
    public var ine: INE?

    public init(nomFamille: String, nomUsage: String?, prenoms: String, sexe: Sexe, dateNaissance: String, communeNaissance: String, ine: INE?) {
        self.nomFamille = nomFamille
        self.nomUsage = nomUsage
        self.prenoms = prenoms
        self.sexe = sexe
        self.dateNaissance = dateNaissance
        self.communeNaissance = communeNaissance
        self.ine = ine
    }
}

/// The établissement d'inscription of a candidature (none for Grand Public).
public struct EtablissementInscription: Codable, Sendable, Equatable {
    public var uai: UAI
    public var nom: String
    /// Its CCF épreuves are placed in it at registration (organisation).
    public var gestionAutonome: Bool

    public init(uai: UAI, nom: String, gestionAutonome: Bool) {
        self.uai = uai
        self.nom = nom
        self.gestionAutonome = gestionAutonome
    }
}

/// Why a unit of the candidate's spécialité is, or is not, sat this session.
public enum SituationUnite: String, Codable, Sendable, CaseIterable {
    /// Sat this session.
    case presentee
    /// Kept from an earlier session (grade ≥ 10, within 5 years): not sat.
    case benefice
    /// Dispensed (diploma held, acquis): not sat, out of the average.
    case dispense
    /// Forme progressive: a grade below 10 of an earlier session (within 5 years), carried: not
    /// sat, it counts in the average.
    case reportee
    /// Forme progressive: left for a later session; not sat now.
    case ulterieure
}

/// A unit of a candidature, computed from the règlement and the candidate's situation.
public struct UniteInscrite: Codable, Sendable, Equatable {
    public var code: String
    /// The épreuve carrying it (`E4`).
    public var epreuve: String
    public var libelle: String
    public var coefficient: Int?
    public var facultative: Bool
    public var situation: SituationUnite
    /// How it is assessed for this candidate (only for a unit sat this session).
    public var mode: ModeEvaluation?
    /// The kept grade, in hundredths, for a bénéfice or a grade carried (`reportee`).
    public var noteConservee: Int?
    /// For a bénéfice or a grade carried: the session it was obtained at (`BP-2025-06-N`) and the day (`YYYY-MM-DD`),
    /// from which its 5-year validity runs (deliberation checks it on its own day).
    public var sessionOrigine: String?
    public var obtenueLe: String?

    public init(code: String, epreuve: String, libelle: String, coefficient: Int?, facultative: Bool,
                situation: SituationUnite, mode: ModeEvaluation?, noteConservee: Int? = nil,
                sessionOrigine: String? = nil, obtenueLe: String? = nil) {
        self.code = code
        self.epreuve = epreuve
        self.libelle = libelle
        self.coefficient = coefficient
        self.facultative = facultative
        self.situation = situation
        self.mode = mode
        self.noteConservee = noteConservee
        self.sessionOrigine = sessionOrigine
        self.obtenueLe = obtenueLe
    }
}

/// The kinds of aménagements a candidate may ask (disability adjustments).
public enum TypeAmenagement: String, Codable, Sendable, CaseIterable {
    case tempsMajore = "temps_majore"
    case salleSeparee = "salle_separee"
    case assistant
    case sujetAdapte = "sujet_adapte"
    case materielSpecifique = "materiel_specifique"
    case pauses

    public var libelle: String {
        switch self {
        case .tempsMajore: "majoration du temps"
        case .salleSeparee: "salle séparée"
        case .assistant: "assistance d'un secrétaire"
        case .sujetAdapte: "sujet adapté"
        case .materielSpecifique: "matériel spécifique"
        case .pauses: "temps de pause"
        }
    }
}

/// One measure granted by the gestionnaire.
public struct MesureAmenagement: Codable, Sendable, Equatable {
    public var type: TypeAmenagement
    /// For `temps_majore`: the extra time, in percent of each test's duration (usually 33).
    public var majorationPourcent: Int?
    /// What exactly is granted, in the gestionnaire's words.
    public var precision: String?

    public init(type: TypeAmenagement, majorationPourcent: Int? = nil, precision: String? = nil) {
        self.type = type
        self.majorationPourcent = majorationPourcent
        self.precision = precision
    }
}

/// The whole state of a validated candidature, as `inscription.candidature.validee` and
/// `inscription.candidature.modifiee` carry it (flat).
public struct CandidatureEtat: Codable, Sendable, Equatable {
    public var id: UUID
    /// The numéro candidat, unique per session, printed on convocations.
    public var numero: String
    public var session: SessionCode
    public var candidat: IdentiteCandidat
    public var categorie: CategorieInscription
    /// The règlement's category (gives CCF or ponctuel per unit).
    public var categorieReglementaire: CategorieCandidat
    public var etablissement: EtablissementInscription?
    public var specialite: String
    /// Version of the session's published règlement the units were computed from.
    public var reglementVersion: Int
    public var forme: FormePassage
    public var unites: [UniteInscrite]
    /// Aménagements granted so far (empty while none is decided).
    public var amenagements: [MesureAmenagement]
    /// The candidate agreed that his name be published with his result (public results site,
    /// outside bodies). Without it his name appears nowhere public. Since v2 of the candidature
    /// messages; a v1 message (without the field) reads as no consent.
    public var consentementPublication: Bool
    /// Grows by one at each change; a consumer ignores a revision lower than the one it holds.
    public var revision: Int

    public init(
        id: UUID, numero: String, session: SessionCode, candidat: IdentiteCandidat, categorie: CategorieInscription,
        categorieReglementaire: CategorieCandidat, etablissement: EtablissementInscription?, specialite: String,
        reglementVersion: Int, forme: FormePassage, unites: [UniteInscrite], amenagements: [MesureAmenagement],
        consentementPublication: Bool = false, revision: Int
    ) {
        self.id = id
        self.numero = numero
        self.session = session
        self.candidat = candidat
        self.categorie = categorie
        self.categorieReglementaire = categorieReglementaire
        self.etablissement = etablissement
        self.specialite = specialite
        self.reglementVersion = reglementVersion
        self.forme = forme
        self.unites = unites
        self.amenagements = amenagements
        self.consentementPublication = consentementPublication
        self.revision = revision
    }

    private enum CodingKeys: String, CodingKey {
        case id, numero, session, candidat, categorie, categorieReglementaire, etablissement, specialite, reglementVersion,
             forme, unites, amenagements, consentementPublication, revision
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UUID.self, forKey: .id)
        numero = try c.decode(String.self, forKey: .numero)
        session = try c.decode(SessionCode.self, forKey: .session)
        candidat = try c.decode(IdentiteCandidat.self, forKey: .candidat)
        categorie = try c.decode(CategorieInscription.self, forKey: .categorie)
        categorieReglementaire = try c.decode(CategorieCandidat.self, forKey: .categorieReglementaire)
        etablissement = try c.decodeIfPresent(EtablissementInscription.self, forKey: .etablissement)
        specialite = try c.decode(String.self, forKey: .specialite)
        reglementVersion = try c.decode(Int.self, forKey: .reglementVersion)
        forme = try c.decode(FormePassage.self, forKey: .forme)
        unites = try c.decode([UniteInscrite].self, forKey: .unites)
        amenagements = try c.decode([MesureAmenagement].self, forKey: .amenagements)
        consentementPublication = try c.decodeIfPresent(Bool.self, forKey: .consentementPublication) ?? false
        revision = try c.decode(Int.self, forKey: .revision)
    }
}
