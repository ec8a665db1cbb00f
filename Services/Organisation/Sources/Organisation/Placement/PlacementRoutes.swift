import Contracts
import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/sessions/:code/centres…`, `/delegations`, `/v1/affectations/:candidature/:unite/salle`:
/// capacity view, delegations, seating by the gestionnaire or the delegated centre.
struct PlacementRoutes: Sendable {
    let placements: Placements

    struct CorpsDelegation: Decodable { var centre: String?; var specialite: String?; var unite: String?; var date: Bool? }
    struct CorpsPlacement: Decodable { var specialite: String?; var unite: String?; var ordre: String? }
    struct CorpsSalle: Decodable { var salle: String?; var place: Int? }
    struct CorpsDate: Decodable { var specialite: String?; var unite: String?; var debut: String? }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/centres") { _, context -> Liste<Placements.VueCentre> in
            let appelant = try context.require(.gestionnaire, .etablissement, .admin)
            let code = try Requetes.session(context)
            _ = try await placements.affectations.session(code)
            let uais = appelant.role == .etablissement ? Portee.uais(appelant) : nil
            return Liste(items: try await placements.vue(session: code, uais: uais))
        }

        group.post("sessions/:code/delegations") { request, context -> EditedResponse<Placements.Delegation> in
            let appelant = try context.require(.gestionnaire)
            let corps = try await request.corps(CorpsDelegation.self)
            var v = Verification()
            let centre = v.champ("centre") { () throws(DomainError) in try UAI(corps.centre ?? "") }
            let specialite = Requetes.codeObligatoire(corps.specialite, "specialite", nom: "Code de spécialité", &v)
            let unite = Requetes.codeObligatoire(corps.unite, "unite", nom: "Code d'unité", &v)
            try v.verifier()
            let delegation = try await placements.deleguer(session: try Requetes.session(context), .init(
                centre: centre!.value, specialite: specialite!, unite: unite!, date: corps.date ?? false, par: appelant.subject))
            return EditedResponse(status: .created, response: delegation)
        }

        group.get("sessions/:code/delegations") { request, context -> Liste<Placements.Delegation> in
            let appelant = try context.require(.gestionnaire, .etablissement, .admin)
            var v = Verification()
            var centre = Requetes.uaiFacultative(request, "centre", &v)
            try v.verifier()
            if appelant.role == .etablissement {
                guard let propre = centre ?? Portee.uais(appelant).first else { return Liste(items: []) }
                try Portee.centre(appelant, propre)
                centre = propre
            }
            return Liste(items: try await placements.delegations(session: try Requetes.session(context), centre: centre))
        }

        group.delete("sessions/:code/delegations/:centre/:specialite/:unite") { _, context -> Response in
            try context.require(.gestionnaire)
            try await placements.retirerDelegation(
                session: try Requetes.session(context), centre: try Requetes.uai(context.parametre("centre"), champ: "centre"),
                specialite: context.parametre("specialite").uppercased(), unite: context.parametre("unite").uppercased())
            return Response(status: .noContent)
        }

        group.post("sessions/:code/centres/:uai/placement") { request, context -> Placements.RapportPlacement in
            let appelant = try context.require(.gestionnaire, .etablissement)
            let uai = try Requetes.uai(context.parametre("uai"), champ: "uai")
            try Portee.centre(appelant, uai)
            let corps = try await request.corps(CorpsPlacement.self)
            var v = Verification()
            let specialite = Requetes.codeObligatoire(corps.specialite, "specialite", nom: "Code de spécialité", &v)
            let unite = Requetes.codeObligatoire(corps.unite, "unite", nom: "Code d'unité", &v)
            let ordre = Placements.Ordre(rawValue: corps.ordre ?? "alphabetique")
            if ordre == nil { v.erreur("ordre", "placement.ordre", "Ordre « \(corps.ordre ?? "") » inconnu : alphabetique ou aleatoire.") }
            try v.verifier()
            return try await placements.placer(session: try Requetes.session(context), centre: uai, specialite: specialite!, unite: unite!,
                                               ordre: ordre!, par: appelant)
        }

        group.put("sessions/:code/centres/:uai/dates") { request, context -> Placements.DateFixee in
            let appelant = try context.require(.gestionnaire, .etablissement)
            let uai = try Requetes.uai(context.parametre("uai"), champ: "uai")
            try Portee.centre(appelant, uai)
            let corps = try await request.corps(CorpsDate.self)
            var v = Verification()
            let specialite = Requetes.codeObligatoire(corps.specialite, "specialite", nom: "Code de spécialité", &v)
            let unite = Requetes.codeObligatoire(corps.unite, "unite", nom: "Code d'unité", &v)
            let debut = v.champ("debut") { () throws(DomainError) in try Champs.horodatage(corps.debut ?? "") }
            try v.verifier()
            return try await placements.fixerDate(session: try Requetes.session(context), centre: uai, specialite: specialite!, unite: unite!,
                                                  debut: debut!, par: appelant)
        }

        group.put("affectations/:candidature/:unite/salle") { request, context -> Placements.ChangementSalle in
            let appelant = try context.require(.gestionnaire, .etablissement)
            let candidature = try Requetes.uuid(context, "candidature", quoi: "candidature")
            let corps = try await request.corps(CorpsSalle.self)
            var v = Verification()
            let salle = corps.salle?.trimmingCharacters(in: .whitespaces) ?? ""
            if salle.isEmpty { v.erreur("salle", "champ.manquant", "Le champ « salle » est obligatoire.") }
            if let place = corps.place, place < 1 { v.erreur("place", "placement.table", "Le numéro de table doit être un entier ≥ 1 (reçu \(place)).") }
            try v.verifier()
            return try await placements.changerSalle(candidature: candidature, unite: context.parametre("unite").uppercased(), salle: salle,
                                                     place: corps.place, par: appelant)
        }
    }
}
