import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `POST /v1/sessions/:code/etablissements/:uai/import?essai=true|false&valider=true|false`
/// (body: the CSV file).
struct ImportRoutes: Sendable {
    let importation: ImportCandidatures

    static let tailleMaximale = 16 << 20

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("sessions/:code/etablissements/:uai/import") { request, context -> ImportCandidatures.Rapport in
            let appelant = try context.require(.gestionnaire, .etablissement)
            let session = try CandidatureRoutes.session(context)
            let uai = try ServiceError.validating(field: "uai") { () throws(DomainError) in try UAI(context.parametre("uai")) }
            let query = request.uri.queryParameters
            let essai = query.get("essai").map { $0 == "true" || $0 == "oui" } ?? true
            let valider = query.get("valider").map { $0 == "true" || $0 == "oui" } ?? false
            var corps = request
            let tampon: ByteBuffer
            do {
                tampon = try await corps.collectBody(upTo: Self.tailleMaximale)
            } catch {
                throw ServiceError(.contentTooLarge, code: "import.trop_grand", message: "Le fichier dépasse \(Self.tailleMaximale >> 20) Mio.")
            }
            let rapport = try await importation.importer(Array(buffer: tampon), session: session, uai: uai, essai: essai, valider: valider, par: appelant)
            context.logger.info("import de candidatures", metadata: [
                "import.essai": "\(essai)", "import.lignes": "\(rapport.lignes)", "import.erreurs": "\(rapport.erreurs.count)",
                "import.inscrites": "\(rapport.inscrites)", "uai": "\(uai.value)",
            ])
            return rapport
        }
    }
}
