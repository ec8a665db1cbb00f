import Documents
import Domain
import Foundation
import MoteurDeliberation

/// The PV de tenue de délibération of a jury (PDF): every decision and every change the jury
/// made, with its author and reason, and the journal of the sitting (opening, closing,
/// reopenings). Before the closing it is a draft, anonymous (numéros only); once closed, the
/// signed version `versionPV` with the candidates' names. A reopened jury closes with a new
/// version listing the changes made since.
extension SeanceRoutes {
    func pv(_ jury: Jury) async throws -> [UInt8] {
        let lignes = try await seance.lignes(jury).sorted { $0.dossier.numero < $1.dossier.numero }
        let clos = jury.etat == .clos
        let noms = clos ? try await dossiers.identites(lignes.map(\.dossier.id)) : [:]
        let entrees = try await journal.entrees(jury: jury.id)
        let session = try await referentiel.session(try SessionCode(jury.session))
        let numeros = Dictionary(lignes.map { ($0.dossier.id, $0.dossier.numero) }, uniquingKeysWith: { a, _ in a })

        var blocs: [Block] = [
            .fields([
                Field("Session", session.map { "\($0.libelle) (\(jury.session))" } ?? jury.session),
                Field("Spécialité", jury.specialite),
                Field("Jury", jury.code),
                Field("Centre de délibération", jury.centre ?? "—"),
                Field("Date", jury.date.map(DateFrancaise.jour) ?? "—"),
                Field("Président", jury.president),
                Field("Membres", jury.membres.map { "\($0.nom) (\($0.qualite.rawValue))" }.joined(separator: ", ").ifEmpty("—")),
                Field("État", clos ? "clos — procès-verbal version \(jury.versionPV)" : "\(jury.etat.libelle) — projet, sans valeur de décision"),
            ]),
            .heading("Décisions (\(lignes.count) candidat(s))"),
            .table(Table(
                columns: [.init("N° candidat", width: 1.3), .init(clos ? "Nom et prénoms" : "Candidat", width: 2.5),
                          .init("Moyenne", width: 1, alignment: .trailing), .init("Décision", width: 1.5),
                          .init("Jury", width: 2.2)],
                rows: lignes.map { ligne in
                    let d = ligne.deliberation
                    let identite = noms[ligne.dossier.id].map { "\($0.nomUsage ?? $0.nomFamille) \($0.prenoms)" } ?? "(anonyme)"
                    let jury = ligne.interventions.map { $0.surDecision ? "décision : admis" : "\($0.unite) → \((try? Centiemes($0.note ?? 0).affichage) ?? "")" }
                    return [ligne.dossier.numero, identite, d?.moyenne?.affichage ?? "—",
                            ligne.complet ? (d?.decision.libelle ?? "—") : "incomplet", jury.joined(separator: " ; ")]
                })),
        ]
        let interventions = entrees.filter { $0.nature == .intervention }
        blocs.append(.heading("Interventions du jury (\(interventions.count))"))
        if interventions.isEmpty {
            blocs.append(.paragraph("Aucune : toutes les décisions sont celles du règlement."))
        } else {
            blocs.append(.table(Table(
                columns: [.init("Le", width: 1.6), .init("Candidat", width: 1.2), .init("Objet", width: 1), .init("Avant → après", width: 1.6),
                          .init("Motif", width: 3), .init("Par", width: 1.4)],
                rows: interventions.map { e in
                    [Self.horodatage(e.instant), e.numero ?? (e.candidature.flatMap { numeros[$0] } ?? "—"), e.unite ?? "—",
                     "\(e.avant ?? "—") → \(e.apres ?? "—")", e.motif ?? "", e.par]
                })))
        }
        blocs.append(.heading("Journal de la séance"))
        blocs.append(.table(Table(
            columns: [.init("Le", width: 1.6), .init("Événement", width: 1.4), .init("Détail", width: 3), .init("Motif", width: 2.5), .init("Par", width: 1.4)],
            rows: entrees.filter { $0.nature != .intervention }.map { e in
                [Self.horodatage(e.instant), e.nature.rawValue, e.apres ?? "", e.motif ?? "", e.par]
            })))
        blocs.append(.paragraph("Journal chaîné (\(entrees.count) ligne(s)), dernière empreinte : \(entrees.last?.empreinte.prefix(16) ?? "—")…"))
        if clos {
            blocs.append(.signature(["Fait le \(Self.horodatage(entrees.last { $0.nature == .cloture }?.instant ?? 0).prefix(10))",
                                     "Le président du jury, \(jury.president)"]))
        }
        let document = Document(
            title: clos ? "Procès-verbal de tenue de délibération" : "Projet de procès-verbal de délibération",
            issuer: ["Académie \(session?.academie ?? "")", "Division des examens et concours"],
            reference: "Jury \(jury.code) — \(jury.session)" + (clos ? " — version \(jury.versionPV)" : " — projet"),
            blocks: blocs,
            footer: clos ? "Délibération close : toute modification exige la réouverture du jury par le gestionnaire."
                : "Projet anonyme : aucune identité de candidat n'y figure avant la clôture.")
        return try await PDFRenderer.render([document])
    }

    /// Milliseconds since 1970 as « 02/07/2031 à 14:05 » (Paris).
    static func horodatage(_ instant: Int64) -> String {
        DateFrancaise.instant(Date(timeIntervalSince1970: Double(instant) / 1000))
    }
}

extension String {
    func ifEmpty(_ remplacement: String) -> String { isEmpty ? remplacement : self }
}
