import Contracts
import ServiceKit

/// The order of the steps: what a service needs before it may open, and what its closing ends.
enum ReglesDesEtapes {
    /// What a prerequisite service must have reached.
    enum Condition: Sendable {
        /// Closed: its step is done.
        case ferme
        /// Opened at least once.
        case ouvert
    }

    /// The services `service` needs before it opens.
    static func prerequis(_ service: ServiceEtape) -> [(service: ServiceEtape, condition: Condition)] {
        switch service {
        case .reglementation: []
        case .inscriptionEtablissement, .inscriptionGrandPublic: [(.reglementation, .ferme)]
        case .organisation: [(.inscriptionEtablissement, .ferme), (.inscriptionGrandPublic, .ferme)]
        case .collecteNotes: [(.organisation, .ferme)]
        case .deliberation: [(.collecteNotes, .ferme)]
        case .publication: [(.deliberation, .ferme)]
        case .extractionEtablissement: [(.publication, .ouvert)]
        }
    }

    /// The services that need `service`: once one of them has opened, `service` cannot reopen.
    static func dependants(_ service: ServiceEtape) -> [ServiceEtape] {
        ServiceEtape.allCases.filter { candidate in prerequis(candidate).contains { $0.service == service } }
    }

    /// The step whose end closing `service` notifies (IMAG'IN), if any.
    static func etapeTerminee(par service: ServiceEtape) -> EtapeSession? {
        switch service {
        case .reglementation: .reglementation
        case .organisation: .organisation
        case .collecteNotes: .notation
        default: nil
        }
    }

    /// Why `service` cannot open given the states of the session's services, one detail per
    /// missing prerequisite (empty: it may open).
    static func refus(ouvrir service: ServiceEtape, etats: [ServiceEtape: EtatServiceEtape.Etat]) -> [ServiceError.Detail] {
        prerequis(service).compactMap { prerequis, condition in
            let etat = etats[prerequis] ?? .aOuvrir
            switch (condition, etat) {
            case (.ferme, .ferme), (.ouvert, .ouvert), (.ouvert, .ferme):
                return nil
            case (.ferme, .ouvert):
                return .init(
                    location: "prerequis.\(prerequis.rawValue)", code: "service.prerequis",
                    message: "Le service « \(prerequis.libelle) » doit d'abord être fermé (il est encore ouvert).")
            case (.ferme, .aOuvrir):
                return .init(
                    location: "prerequis.\(prerequis.rawValue)", code: "service.prerequis",
                    message: "Le service « \(prerequis.libelle) » doit d'abord être ouvert puis fermé (il n'a pas encore été ouvert).")
            case (.ouvert, .aOuvrir):
                return .init(
                    location: "prerequis.\(prerequis.rawValue)", code: "service.prerequis",
                    message: "Le service « \(prerequis.libelle) » doit d'abord être ouvert (il n'a pas encore été ouvert).")
            }
        }
    }
}
