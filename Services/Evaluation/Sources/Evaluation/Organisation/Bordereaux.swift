import Documents
import Foundation

/// The grading slip of a lot (bordereau de notation: the lot's identifiers, its copies by
/// numéro d'anonymat with a box for the grade, the grader's signature) and its copy labels.
enum Bordereaux {
    static func bordereau(_ lot: Lot, copies: [CopieNotee], commission: String?) -> Document {
        let pas = Double(lot.pas) / 100
        var champs = [
            Field("Session", lot.session),
            Field("Spécialité", lot.specialite),
            Field("Épreuve / unité", "\(lot.epreuve) — \(lot.unite)"),
            Field("Lot", "n° \(lot.numero) (\(lot.nature == "copies" ? "lot de copies" : lot.nature == "ccf" ? "lot CCF" : "lot d'interrogation"))"),
            Field("Identifiant du lot", lot.id.uuidString.lowercased()),
            Field("Centre", lot.centre),
            Field("Copies", "\(copies.count)"),
            Field("Pas de notation", String(format: "%.2f point", pas).replacingOccurrences(of: ".", with: ",")),
        ]
        if let commission { champs.insert(Field("Commission", commission), at: 4) }
        if let jour = lot.jour { champs.append(Field("Date", jour)) }
        champs.append(Field("Correcteur(s)", lot.correcteurs.map(\.nom).joined(separator: ", ").ifEmpty("—")))
        return Document(
            title: "Bordereau de notation",
            issuer: ["Cyclades BP", "Division des examens et concours"],
            reference: "Lot \(lot.unite) n° \(lot.numero)",
            blocks: [
                .fields(champs),
                .paragraph("Notez chaque copie sur 20 au pas indiqué, ou ABS (absent), ABJ (absent justifié), DI (dispensé). Reportez ensuite les notes sur le portail de saisie et verrouillez votre saisie."),
                .table(Table(
                    columns: [.init("N° d'anonymat", width: 2), .init("Note / 20", width: 1, alignment: .center), .init("Observations", width: 3)],
                    rows: copies.map { [$0.numero, $0.affichage ?? ($0.absence ?? ""), $0.absence.map { "absence constatée : \($0)" } ?? ""] },
                    minimumRowHeight: 18)),
                .signature(["Fait le ____ / ____ / ________", "Signature du correcteur"]),
            ],
            footer: "Bordereau anonyme : aucune identité de candidat n'y figure.")
    }

    /// Copy labels: one per copy, 3 × 8 per page.
    static func etiquettes(_ lot: Lot, copies: [CopieNotee]) -> LabelSheet {
        LabelSheet(columns: 3, rows: 8, labels: copies.map { copie in
            [copie.numero, "\(lot.session) — \(lot.unite)", "Lot n° \(lot.numero) — \(lot.centre)"]
        })
    }
}

extension String {
    func ifEmpty(_ remplacement: String) -> String { isEmpty ? remplacement : self }
}
