import Documents
import Domain
import Foundation
import Hummingbird
import Referentiel
import ServiceKit

/// `/v1/sessions/:code/convocations…`, `/v1/candidatures/:id/convocation…`: bulk generation after
/// the check that every épreuve is placed, lists, bulk printing, each candidate's PDF.
struct ConvocationRoutes: Sendable {
    let affectations: Affectations
    let convocations: ConvocationRepository

    struct Generation: ResponseEncodable {
        var candidats: Int
        var generees: Int
    }

    static let impressionMaximale = 2000

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("sessions/:code/convocations") { request, context -> Generation in
            let appelant = try context.require(.gestionnaire)
            let code = try Requetes.session(context)
            _ = try await affectations.session(code)
            var v = Verification()
            let uai = Requetes.uaiFacultative(request, "uai", &v)
            let specialite = Requetes.code(request, "specialite", &v)
            try v.verifier()
            let uais = uai.map { [$0] }
            let manques = try await convocations.manques(session: code.value, uais: uais, specialite: specialite)
            guard manques.isEmpty else {
                throw ServiceError.invalid(
                    "convocation.placement_incomplet",
                    "Les convocations ne sont générées que lorsque toutes les épreuves sont placées (centre, salle, table, date) : \(manques.count == 50 ? "au moins 50" : "\(manques.count)") épreuve(s) ne le sont pas encore, voir le détail.",
                    details: manques)
            }
            let ids = try await convocations.ids(session: code.value, uais: uais, specialite: specialite)
            let generees = try await affectations.database.transaction { connection in
                try await convocations.generer(ids, session: code.value, par: appelant.subject, on: connection)
            }
            context.logger.info("convocations générées", metadata: ["candidats": "\(ids.count)", "generees": "\(generees)"])
            return Generation(candidats: ids.count, generees: generees)
        }

        group.get("sessions/:code/convocations") { request, context -> Page<ConvocationRepository.Ligne> in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat, .admin)
            let code = try Requetes.session(context)
            var v = Verification()
            let pagination = Pagination(request, &v)
            let uai = Requetes.uaiFacultative(request, "uai", &v)
            let specialite = Requetes.code(request, "specialite", &v)
            try v.verifier()
            let numeros = appelant.role == .candidat ? Portee.numeros(appelant) : nil
            let uais = appelant.role == .candidat ? nil : try Requetes.uaisPermises(appelant, demandee: uai)
            let centres = appelant.role == .etablissement ? uais : nil
            let page = try await convocations.liste(session: code.value, uais: uais, specialite: specialite, numeros: numeros, centres: centres,
                                                    pagination: pagination)
            return Page(items: page.items, total: page.total, pagination: pagination)
        }

        group.get("sessions/:code/convocations.pdf") { request, context -> Response in
            let appelant = try context.require(.gestionnaire, .etablissement)
            let code = try Requetes.session(context)
            var v = Verification()
            let uai = Requetes.uaiFacultative(request, "uai", &v)
            let specialite = Requetes.code(request, "specialite", &v)
            try v.verifier()
            let uais = try Requetes.uaisPermises(appelant, demandee: uai)
            let centres = appelant.role == .etablissement ? uais : nil
            let liste = try await convocations.liste(session: code.value, uais: uais, specialite: specialite, centres: centres,
                                                     pagination: Pagination(page: 1, taille: Self.impressionMaximale + 1))
            let avec = liste.items.filter { $0.version != nil }
            guard liste.items.count <= Self.impressionMaximale else {
                throw ServiceError.invalid("impression.trop_grande", "Au plus \(Self.impressionMaximale) convocations par impression : filtrez par établissement ou spécialité.")
            }
            guard !avec.isEmpty else { throw ServiceError.notFound("Aucune convocation générée ne correspond à ces filtres.") }
            return try await Requetes.pdf(try await convocations.documents(avec.map(\.candidature)), nom: "convocations-\(code.value).pdf")
        }

        group.get("candidatures/:id/convocations") { _, context -> Liste<ConvocationRepository.Version> in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat, .admin)
            let id = try await autoriser(context, appelant)
            return Liste(items: try await convocations.versions(id))
        }

        group.get("candidatures/:id/convocation") { request, context -> Response in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat, .admin)
            let id = try await autoriser(context, appelant)
            var version: Int?
            if let texte = request.uri.queryParameters.get("version") {
                guard let valeur = Int(texte), valeur >= 1 else {
                    throw ServiceError.invalid("convocation.version", "La version demandée doit être un entier ≥ 1 (reçu « \(texte) »).",
                                               details: [.init(location: "version", code: "convocation.version", message: "Entier ≥ 1 attendu.")])
                }
                version = valeur
            }
            guard let document = try await convocations.documents([id], version: version).first else {
                throw ServiceError.notFound(version == nil
                    ? "Ce candidat n'a pas encore de convocation : elle est générée quand toutes ses épreuves sont placées."
                    : "La version \(version!) de cette convocation n'existe pas.")
            }
            return try await Requetes.pdf([document], nom: "convocation-\(id.uuidString.lowercased()).pdf")
        }
    }

    private func autoriser(_ context: ServiceRequestContext, _ appelant: InternalIdentity) async throws -> UUID {
        let id = try Requetes.uuid(context, quoi: "candidature")
        guard let candidature = try await convocations.candidature(id) else {
            throw ServiceError(.notFound, code: "candidature.inconnue", message: "La candidature \(id.uuidString.lowercased()) est inconnue de l'organisation.")
        }
        if let session = try? SessionCode(candidature.session) {
            try await AccesSessionClose.verifier(appelant, session: session, referentiel: affectations.referentiel.reglementation, ecriture: false)
        }
        let centres = appelant.role == .etablissement ? try await convocations.centres(id) : []
        guard Portee.convocation(appelant, numero: candidature.numero, uai: candidature.uai, centres: centres) else { throw Portee.refusConvocation }
        return id
    }
}
