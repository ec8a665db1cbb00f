import Domain
import Foundation
import Messaging

/// `inscription.amenagement.decide` v1 — the gestionnaire decided on an aménagement request. For
/// the candidate and his établissement (publication turns it into a document).
public struct AmenagementDecide: MessageContract, Equatable {
    public static let type = "inscription.amenagement.decide"
    public static let version = 1

    public enum Decision: String, Codable, Sendable, CaseIterable {
        case accorde
        case accordePartiellement = "accorde_partiellement"
        case refuse

        public var libelle: String {
            switch self {
            case .accorde: "accordé"
            case .accordePartiellement: "accordé partiellement"
            case .refuse: "refusé"
            }
        }
    }

    public var demande: UUID
    public var candidature: UUID
    public var numero: String
    public var session: SessionCode
    /// The établissement to notify, if any.
    public var etablissement: UAI?
    public var decision: Decision
    /// What is granted (empty when refused).
    public var mesures: [MesureAmenagement]
    public var motivation: String?
    public var decidePar: String

    public init(demande: UUID, candidature: UUID, numero: String, session: SessionCode, etablissement: UAI?,
                decision: Decision, mesures: [MesureAmenagement], motivation: String?, decidePar: String) {
        self.demande = demande
        self.candidature = candidature
        self.numero = numero
        self.session = session
        self.etablissement = etablissement
        self.decision = decision
        self.mesures = mesures
        self.motivation = motivation
        self.decidePar = decidePar
    }
}
