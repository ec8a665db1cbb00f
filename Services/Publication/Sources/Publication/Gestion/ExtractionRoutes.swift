import Contracts
import Documents
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Referentiel
import ServiceKit

/// What établissements take away, and the gestionnaire's archive:
/// - `GET /v1/sessions/:code/extraction.csv` — « Extrait les notes de ses élèves »: an
///   établissement's students, their grades by unit, average and decision, once the gestionnaire
///   « ouvre le service d'extraction des notes aux établissements » (step `extraction_etablissement`)
///   and before the session's closing; the gestionnaire any établissement's (`?etablissement=`) or all.
/// - `GET /v1/sessions/:code/resultats.pdf` — « Edite les résultats de ses élèves » (an
///   établissement: its own), « Edite des listes d'archivage » (the gestionnaire: the whole
///   session by spécialité, or one établissement's); `?centre=UAI`: the centre épreuve « édite les
///   résultats des candidats affectés dans le centre » (its own account, or the gestionnaire).
/// Released results only: under embargo both are empty.
struct ExtractionRoutes: Sendable {
    let publications: PublicationRepository
    let referentiel: ReferentielReglementation

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/extraction.csv") { request, context -> Response in
            let appelant = try context.require(.gestionnaire, .admin, .etablissement)
            let session = try context.sessionDuChemin()
            let etablissement = try Self.etablissement(request, appelant)
            if appelant.role == .etablissement {
                guard try await referentiel.session(session)?.servicesOuverts.contains(.extractionEtablissement) == true else {
                    throw ServiceError.conflict(
                        "extraction.fermee", "Le service d'extraction des notes de la session \(session) n'est pas ouvert aux établissements.")
                }
            }
            let lignes = try await publications.completes(session, etablissement: etablissement)
            return Self.fichier(Self.csv(lignes), type: "text/csv; charset=utf-8", nom: "notes-\(session.value)\(etablissement.map { "-\($0)" } ?? "").csv")
        }

        group.get("sessions/:code/resultats.pdf") { request, context -> Response in
            let appelant = try context.require(.gestionnaire, .admin, .etablissement)
            let session = try context.sessionDuChemin()
            // `?centre=`: the candidates placed in a centre épreuve (its own, for a centre's account).
            if let texte = request.uri.queryParameters.get("centre").flatMap({ $0.isEmpty ? nil : $0 }) {
                let centre = try ServiceError.validating(field: "centre") { () throws(DomainError) in try UAI(texte).value }
                if appelant.role == .etablissement, !appelant.hasScope("uai", centre) {
                    throw ServiceError.forbidden("Accès refusé : un centre ne voit que les résultats des candidats qui y sont affectés.")
                }
                let lignes = try await publications.completes(session, etablissement: nil, centre: centre)
                let copie = try await referentiel.session(session)
                let pdf = try await PDFRenderer.render([Self.liste(lignes, session: session, libelle: copie?.libelle ?? session.value,
                                                                   academie: copie?.academie ?? "", etablissement: centre, centre: true)])
                return Self.fichier(pdf, type: "application/pdf", nom: "resultats-\(session.value)-centre-\(centre).pdf")
            }
            let etablissement = try Self.etablissement(request, appelant)
            let lignes = try await publications.completes(session, etablissement: etablissement)
            let copie = try await referentiel.session(session)
            let pdf = try await PDFRenderer.render([Self.liste(lignes, session: session, libelle: copie?.libelle ?? session.value,
                                                               academie: copie?.academie ?? "", etablissement: etablissement)])
            return Self.fichier(pdf, type: "application/pdf", nom: "resultats-\(session.value)\(etablissement.map { "-\($0)" } ?? "").pdf")
        }
    }

    /// The établissement asked for: an établissement's own (its habilitation's UAI), the
    /// gestionnaire's choice (none: all).
    static func etablissement(_ request: Request, _ appelant: InternalIdentity) throws -> String? {
        var etablissement = request.uri.queryParameters.get("etablissement").flatMap { $0.isEmpty ? nil : $0 }
        if let texte = etablissement {
            etablissement = try ServiceError.validating(field: "etablissement") { () throws(DomainError) in try UAI(texte).value }
        }
        return try portee(etablissement, appelant)
    }

    /// An établissement reaches its own students only: the UAI asked must be of its habilitation
    /// (none asked: its first). Others get what they asked.
    static func portee(_ etablissement: String?, _ appelant: InternalIdentity) throws(ServiceError) -> String? {
        guard appelant.role == .etablissement else { return etablissement }
        guard let uai = etablissement ?? appelant.scopes.compactMap({ $0.hasPrefix("uai:") ? String($0.dropFirst(4)) : nil }).first,
              appelant.hasScope("uai", uai)
        else { throw ServiceError.forbidden("Accès refusé : un établissement ne voit que les résultats de ses élèves.") }
        return uai
    }

    /// One line per candidate; the units as `U10=12.50` in one column (their set differs by
    /// spécialité), `;`-separated as French spreadsheets read it, UTF-8 with its BOM.
    static func csv(_ lignes: [PublicationRepository.LigneComplete]) -> [UInt8] {
        func champ(_ texte: String) -> String {
            texte.contains(where: { ";\"\n\r".contains($0) }) ? "\"\(texte.replacingOccurrences(of: "\"", with: "\"\""))\"" : texte
        }
        var texte = "numero;nom;prenoms;date_naissance;specialite;etablissement;moyenne;decision;notes\r\n"
        for l in lignes {
            let notes = l.resultat.unites.map { "\($0.unite)=\($0.note ?? "-")" }.joined(separator: " ")
            texte += [l.numero, l.nom, l.prenoms, l.dateNaissance, l.specialite, l.etablissement ?? "", l.resultat.moyenne ?? "",
                      l.resultat.decision, notes].map(champ).joined(separator: ";") + "\r\n"
        }
        return [0xEF, 0xBB, 0xBF] + Array(texte.utf8)
    }

    static func liste(_ lignes: [PublicationRepository.LigneComplete], session: SessionCode, libelle: String, academie: String,
                      etablissement: String?, centre: Bool = false) -> Document {
        var blocs: [Block] = [.paragraph("\(libelle) (\(session.value)) — \(lignes.count) candidat(s), \(lignes.filter { $0.resultat.decision == "admis" }.count) admis.")]
        for (specialite, candidats) in Dictionary(grouping: lignes, by: \.specialite).sorted(by: { $0.key < $1.key }) {
            blocs.append(.heading("Brevet professionnel \(specialite) (\(candidats.count))"))
            blocs.append(.table(Table(
                columns: [.init("N° candidat", width: 1.2), .init("Nom et prénoms", width: 2.8), .init("Né(e) le", width: 1.1),
                          .init("Établissement", width: 2), .init("Moyenne", width: 0.9, alignment: .trailing), .init("Décision", width: 1.1)],
                rows: candidats.map { l in
                    [l.numero, "\(l.nom) \(l.prenoms)", DateFrancaise.jour(l.dateNaissance), l.etablissementNom ?? l.etablissement ?? "—",
                     l.resultat.moyenne.map(DocumentsFinDeSession.note) ?? "—", DocumentsFinDeSession.decision(l.resultat.decision)]
                })))
        }
        return Document(
            title: centre ? "Résultats des candidats affectés dans le centre"
                : etablissement == nil ? "Liste d'archivage des résultats" : "Résultats des candidats de l'établissement",
            issuer: ["Académie \(academie)", "Division des examens et concours"],
            reference: "\(session.value)\(etablissement.map { " — \($0)" } ?? "")", blocks: blocs,
            footer: "Résultats publiés : décisions du jury après délibération.")
    }

    static func fichier(_ octets: [UInt8], type: String, nom: String) -> Response {
        Response(status: .ok,
                 headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(nom)\"", .cacheControl: "private, no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: octets)))
    }
}
