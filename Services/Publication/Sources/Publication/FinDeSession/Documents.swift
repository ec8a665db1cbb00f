import Contracts
import Documents
import Domain
import Foundation

/// The documents of a session's end, drawn by the shared kit: the relevé de notes (every unit,
/// its grade and status, the average, the decision, the units kept for later sessions), the
/// attestation de réussite and the diplôme. Each carries its verification code and where to
/// check it, the académie's logo and the recteur's signature when réglementation has them (PNG).
enum DocumentsFinDeSession {
    static func document(_ c: DocumentRepository.Contenu, adresseVerification: String) -> Document {
        let r = c.resultat
        let nom = "\(c.nomUsage.map { "\($0) (née/né \(c.nomFamille))" } ?? c.nomFamille) \(c.prenoms)"
        let identite: [Field] = [
            Field(label: "Candidat", value: nom),
            Field(label: "Né(e) le", value: DateFrancaise.jour(c.dateNaissance)),
            Field(label: "Numéro de candidat", value: c.numero),
            Field(label: "Session", value: "\(c.sessionLibelle) (\(c.session))" + (r.sessionDeRemplacement ? " — session de remplacement" : "")),
            Field(label: "Spécialité", value: "Brevet professionnel \(r.specialite)"),
        ] + (c.etablissement.map { [Field(label: "Établissement", value: $0)] } ?? [])
        let verification = "Code de vérification : \(c.code) — à saisir sur \(adresseVerification)"
        let issuer = ["Académie \(c.academie)", "Division des examens et concours"]
        let logo = c.logo.map { DocumentImage(png: $0, width: 150, alignment: .leading) }
        let scan = c.signature.map { DocumentImage(png: $0, width: 140, alignment: .trailing) }
        switch c.type {
        case .releve:
            var blocs: [Block] = [
                .fields(identite),
                .heading("Notes"),
                .table(Table(
                    columns: [.init("Unité", width: 0.9), .init("Intitulé", width: 3.2), .init("Coef.", width: 0.7, alignment: .trailing),
                              .init("Note", width: 0.9, alignment: .trailing), .init("Situation", width: 2.3)],
                    rows: r.unites.map { u in
                        [u.unite, u.libelle + (u.facultative ? " (facultative)" : ""), u.coefficient.map(String.init) ?? "—",
                         u.note.map(Self.note) ?? "—",
                         Self.statut(u.statut) + (u.sessionOrigine.map { " (\($0))" } ?? "") + (u.pointsDeJury ? " — points de jury" : "")]
                    })),
                .fields([
                    Field(label: "Moyenne", value: r.moyenne.map { "\(Self.note($0)) / 20" } ?? "—"),
                    Field(label: "Décision du jury", value: Self.decision(r.decision) + (r.decisionDuJury ? " (par décision du jury)" : "")),
                ]),
            ]
            let conserves = r.acquis + r.reportables
            if !conserves.isEmpty {
                blocs.append(.heading("Notes conservées pour les sessions suivantes"))
                blocs.append(.table(Table(
                    columns: [.init("Unité", width: 1), .init("Note", width: 1, alignment: .trailing), .init("Obtenue le", width: 1.4),
                              .init("Valable jusqu'au", width: 1.4)],
                    rows: conserves.map { [$0.unite, Self.note($0.note), DateFrancaise.jour($0.obtenueLe), DateFrancaise.jour($0.valableJusquAu)] })))
            }
            blocs.append(.paragraph(verification))
            blocs.append(.signature(["Fait le \(DateFrancaise.jour(DateFrancaise.jourISO(c.genereLe)))", "Pour le recteur, la division des examens et concours"],
                                    image: scan))
            return Document(title: "Relevé de notes", issuer: issuer, logo: logo, reference: "\(c.numero) — \(c.session)", blocks: blocs,
                            footer: "Relevé de notes du Brevet professionnel — les notes sont définitives après délibération du jury.")
        case .attestation:
            return Document(
                title: "Attestation de réussite", issuer: issuer, logo: logo, reference: "\(c.numero) — \(c.session)",
                blocks: [
                    .paragraph("Le recteur de l'académie atteste que le candidat désigné ci-dessous a été déclaré admis au Brevet professionnel par le jury de la session, dans l'attente de la délivrance de son diplôme."),
                    .fields(identite),
                    .paragraph(verification),
                    .signature(["Fait le \(DateFrancaise.jour(DateFrancaise.jourISO(c.genereLe)))", "Pour le recteur, la division des examens et concours"],
                               image: scan),
                ],
                footer: "Attestation provisoire : elle ne tient pas lieu de diplôme.")
        case .diplome:
            return Document(
                title: "Brevet professionnel", issuer: ["République française", "Ministère de l'Éducation nationale"] + issuer, logo: logo,
                reference: "\(c.numero) — \(c.session)",
                blocks: [
                    .paragraph("Vu le code de l'éducation, vu le règlement d'examen de la spécialité, vu la délibération du jury, le diplôme du"),
                    .heading("Brevet professionnel \(r.specialite)"),
                    .paragraph("est délivré à"),
                    .fields(identite),
                    .paragraph(verification),
                    .signature(["Fait le \(DateFrancaise.jour(DateFrancaise.jourISO(c.genereLe)))", "Le recteur de l'académie"], image: scan),
                ],
                footer: "Diplôme national délivré par le recteur sur proposition du jury.")
        }
    }

    /// `12.50` → `12,50`; `ABS`, `ABJ`, `DI` spelled out.
    static func note(_ note: String) -> String {
        switch note {
        case "ABS": "absent"
        case "ABJ": "absence justifiée"
        case "DI": "dispensé (DI)"
        default: note.replacingOccurrences(of: ".", with: ",")
        }
    }

    static func statut(_ statut: String) -> String {
        switch statut {
        case "obtenue": "obtenue"
        case "non_obtenue": "non obtenue"
        case "benefice_reporte": "bénéfice d'une session antérieure"
        case "note_reportee": "note reportée"
        case "dispensee": "dispensée"
        case "neutralisee": "neutralisée"
        case "absente": "absent"
        case "absence_justifiee": "absence justifiée"
        case "non_passee": "non passée"
        default: statut
        }
    }

    static func decision(_ decision: String) -> String {
        switch decision {
        case "admis": "admis"
        case "ajourne": "ajourné"
        case "en_cours": "unités restant à passer (forme progressive)"
        case "absent": "absent"
        default: decision
        }
    }
}
