import Contracts
import Documents
import Domain
import Foundation

/// Everything a confirmation d'inscription (récapitulatif) shows, frozen when it is generated:
/// the PDF is rendered from it, the same every time it is downloaded.
struct ContenuConfirmation: Codable, Sendable, Equatable {
    struct Ligne: Codable, Sendable, Equatable {
        var code: String
        var epreuve: String
        var libelle: String
        var coefficient: String
        var situation: String
    }

    var numero: String
    var session: String
    var sessionLibelle: String
    var academie: String
    var revision: Int
    var etat: String
    var candidat: Candidat
    var categorie: String
    var etablissement: String?
    var specialite: String
    var specialiteLibelle: String
    var forme: String
    var unites: [Ligne]
    var amenagements: [String]
    var piecesAFournir: [String]
    var valideeLe: String?
    /// The candidate's consent to the publication of his name with his result; nil in a
    /// confirmation frozen before it was asked (its PDF stays as it was).
    var consentementPublication: Bool?

    init(_ c: Candidature, session: SessionInscription) {
        numero = c.numero
        self.session = c.session
        sessionLibelle = session.libelle
        academie = session.academie
        revision = c.revision
        etat = c.etat.libelle
        candidat = c.candidat
        categorie = c.categorieReglementaire?.libelle ?? c.categorie.libelle
        etablissement = c.uai.map { uai in c.etablissement.map { "\($0) (\(uai))" } ?? uai }
        specialite = c.specialite
        specialiteLibelle = session.specialite(c.specialite)?.reglement.libelle ?? c.specialite
        forme = c.forme.libelle
        unites = (c.unites ?? []).map { unite in
            let situation: String = switch unite.situation {
            case .presentee: unite.mode == .ccf ? "présentée en CCF" : "présentée en épreuve ponctuelle"
            case .benefice: "bénéfice conservé (\(ReglesInscription.note(unite.noteConservee ?? 0))/20)"
            case .dispense: "dispense"
            case .reportee: "note reportée (\(ReglesInscription.note(unite.noteConservee ?? 0))/20, forme progressive)"
            case .ulterieure: "à présenter à une session ultérieure"
            }
            return Ligne(code: unite.code, epreuve: unite.epreuve, libelle: unite.libelle + (unite.facultative ? " (facultative)" : ""),
                         coefficient: unite.coefficient.map(String.init) ?? "—", situation: situation)
        }
        amenagements = c.amenagements.map { mesure in
            var texte = mesure.type.libelle
            if let pourcent = mesure.majorationPourcent { texte += " (+\(pourcent) %)" }
            if let precision = mesure.precision { texte += " : \(precision)" }
            return texte
        }
        let categorieReglementaire = c.categorieReglementaire ?? .individuel
        piecesAFournir = (session.reglement?.piecesJustificatives ?? [])
            .filter { $0.categories.contains(categorieReglementaire) }
            .map { "\($0.libelle)\($0.obligatoire ? "" : " (facultative)")" }
        if !c.dispenses.isEmpty { piecesAFournir.append("Justificatif de chaque dispense (diplôme, relevé de notes)") }
        valideeLe = c.valideeLe
        consentementPublication = c.consentementPublication
    }

    /// The document as people read it.
    func document(version: Int, genereeLe: String) -> Document {
        let c = candidat
        var identite = [
            Field("Numéro candidat", numero),
            Field("Nom de famille", c.nomFamille.uppercased()),
        ]
        if let usage = c.nomUsage { identite.append(Field("Nom d'usage", usage.uppercased())) }
        identite += [
            Field("Prénoms", c.prenoms),
            Field("Sexe", c.sexe == .feminin ? "féminin" : "masculin"),
            Field("Né(e) le", "\(DateFrancaise.jour(c.dateNaissance)) à \(c.communeNaissance) (\(c.paysNaissance))"),
            Field("INE", c.ine ?? "—"),
            Field("Adresse", "\(c.adresse), \(c.codePostal) \(c.commune)"),
            Field("Courriel", c.courriel ?? "—"),
            Field("Téléphone", c.telephone ?? "—"),
        ]
        var blocs: [Block] = [
            .paragraph("Session : \(sessionLibelle) (\(session)). Ce récapitulatif atteste l'inscription validée en ligne ; la validation vaut signature du candidat. Vérifiez chaque information et signalez toute erreur à votre établissement ou à la division des examens avant la fermeture du service d'inscription."),
            .heading("Candidat"),
            .fields(identite),
            .heading("Inscription"),
            .fields([
                Field("Spécialité", "BP \(specialiteLibelle) (\(specialite))"),
                Field("Catégorie", categorie),
                Field("Établissement d'inscription", etablissement ?? "aucun (candidat individuel)"),
                Field("Forme", forme),
                Field("État", etat),
            ] + (consentementPublication.map { [Field("Publication du nom avec le résultat", $0 ? "oui" : "non")] } ?? [])),
            .heading("Unités"),
            .table(Table(
                columns: [.init("Unité", width: 0.8), .init("Épreuve", width: 0.8), .init("Intitulé", width: 3.2),
                          .init("Coef.", width: 0.6, alignment: .center), .init("Situation", width: 2.2)],
                rows: unites.map { [$0.code, $0.epreuve, $0.libelle, $0.coefficient, $0.situation] })),
        ]
        blocs.append(.heading("Aménagements des conditions d'examen"))
        blocs.append(.paragraph(amenagements.isEmpty ? "Aucun aménagement accordé à ce jour." : amenagements.map { "• \($0)" }.joined(separator: "\n")))
        if !piecesAFournir.isEmpty {
            blocs.append(.heading("Pièces justificatives"))
            blocs.append(.paragraph(piecesAFournir.map { "• \($0)" }.joined(separator: "\n")))
        }
        blocs.append(.signature([
            "Validée en ligne le \(valideeLe.map(DateFrancaise.instantUTC) ?? "—")",
            "Récapitulatif généré le \(DateFrancaise.instantUTC(genereeLe))",
        ]))
        return Document(
            title: "Confirmation d'inscription",
            issuer: ["Académie \(academie)", "Division des examens et concours", "Brevet professionnel"],
            reference: "Candidature n° \(numero) — version \(version)",
            blocks: blocs,
            footer: "BP \(specialite) — \(session) — candidat n° \(numero)")
    }
}
