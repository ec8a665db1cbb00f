import Contracts
import Documents
import Domain
import Foundation

/// Everything a convocation shows, frozen when it is generated: the PDF is rendered from it, the
/// same every time; the next version is compared with it to say what changed.
struct ContenuConvocation: Codable, Sendable, Equatable {
    struct Epreuve: Codable, Sendable, Equatable {
        var unite: String
        var epreuve: String
        var libelle: String
        var forme: String
        var mode: String
        /// `YYYY-MM-DDTHH:MM`.
        var debut: String?
        var dureeMinutes: Int?
        /// Of which extra time.
        var majorationMinutes: Int
        var preparationMinutes: Int?
        var centre: String?
        var centreNom: String?
        var adresse: String?
        var salle: String?
        var table: Int?
    }

    var session: String
    var sessionLibelle: String
    var academie: String
    var numero: String
    var nomFamille: String
    var nomUsage: String?
    var prenoms: String
    var dateNaissance: String
    var uai: String?
    var etablissement: String?
    var specialite: String
    var specialiteLibelle: String
    var epreuves: [Epreuve]
    var amenagements: [String]
    var documentsAApporter: [String]

    var ponctuelles: [Epreuve] { epreuves.filter { $0.mode == "ponctuel" } }
    var ccf: [Epreuve] { epreuves.filter { $0.mode == "ccf" } }

    /// What changed from `avant` to this version, in French, épreuve by épreuve.
    func changement(depuis avant: ContenuConvocation) -> String? {
        var changes: [String] = []
        let anciennes = Dictionary(avant.epreuves.map { ($0.unite, $0) }, uniquingKeysWith: { a, _ in a })
        for e in epreuves {
            guard let a = anciennes[e.unite] else { changes.append("\(e.unite) : épreuve ajoutée"); continue }
            if a.centre != e.centre { changes.append("\(e.unite) : centre \(a.centreNom ?? "—") → \(e.centreNom ?? "—")") }
            if a.salle != e.salle { changes.append("\(e.unite) : salle \(a.salle ?? "—") → \(e.salle ?? "—")") }
            if a.table != e.table { changes.append("\(e.unite) : table \(a.table.map(String.init) ?? "—") → \(e.table.map(String.init) ?? "—")") }
            if a.debut != e.debut { changes.append("\(e.unite) : date \(DateFrancaise.horaire(a.debut)) → \(DateFrancaise.horaire(e.debut))") }
            if a.dureeMinutes != e.dureeMinutes { changes.append("\(e.unite) : durée \(Self.duree(a.dureeMinutes)) → \(Self.duree(e.dureeMinutes))") }
        }
        for a in avant.epreuves where !epreuves.contains(where: { $0.unite == a.unite }) { changes.append("\(a.unite) : épreuve retirée") }
        if amenagements != avant.amenagements { changes.append("aménagements modifiés") }
        if (nomFamille, nomUsage, prenoms, dateNaissance) != (avant.nomFamille, avant.nomUsage, avant.prenoms, avant.dateNaissance) {
            changes.append("identité corrigée")
        }
        if changes.isEmpty && self != avant { changes.append("mise à jour") }
        return changes.isEmpty ? nil : changes.joined(separator: " ; ")
    }

    func document(version: Int, genereeLe: String, changement: String?) -> Document {
        var identite = [Field("Numéro candidat", numero), Field("Nom", nomFamille.uppercased())]
        if let nomUsage { identite.append(Field("Nom d'usage", nomUsage.uppercased())) }
        identite += [
            Field("Prénoms", prenoms),
            Field("Né(e) le", DateFrancaise.jour(dateNaissance)),
            Field("Spécialité", "BP \(specialiteLibelle) (\(specialite))"),
            Field("Établissement", etablissement ?? "candidat individuel"),
        ]
        var blocs: [Block] = [
            .paragraph("Vous êtes convoqué(e) aux épreuves ci-dessous du brevet professionnel, session \(sessionLibelle) (\(session)). Présentez-vous au centre d'épreuve 30 minutes avant le début de chaque épreuve : aucun candidat n'est admis après l'ouverture des sujets."),
            .heading("Candidat"),
            .fields(identite),
        ]
        if let changement {
            blocs.append(.heading("Modification"))
            blocs.append(.paragraph("Cette convocation (version \(version)) remplace la précédente. Changements : \(changement)."))
        }
        if !ponctuelles.isEmpty {
            blocs.append(.heading("Épreuves ponctuelles"))
            // One block per épreuve: each reads on its own, as the candidate checks it on the day.
            for e in ponctuelles {
                blocs.append(.paragraph("\(e.unite) — \(e.libelle) (épreuve \(e.forme))"))
                blocs.append(.fields([
                    Field("Date", e.debut.map { DateFrancaise.jour(String($0.prefix(10))) } ?? "à fixer"),
                    Field("Heure", e.debut.map { DateFrancaise.heure(String($0.suffix(5))) } ?? "—"),
                    Field("Durée", Self.dureeAvecMajoration(e)),
                    Field("Centre", [e.centreNom, e.centre.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")),
                    Field("Adresse", e.adresse ?? "—"),
                    Field("Salle", e.salle ?? "—"),
                    Field("Table", e.table.map(String.init) ?? "—"),
                ]))
            }
        }
        if !ccf.isEmpty {
            blocs.append(.heading("Épreuves en contrôle en cours de formation (CCF)"))
            blocs.append(.paragraph(ccf.map { e in
                "• \(e.unite) — \(e.libelle) : évaluée en cours de formation par \(e.centreNom.map { "\($0) (\(e.centre ?? ""))" } ?? "l'établissement désigné par la division des examens"), qui vous en communique les dates."
            }.joined(separator: "\n")))
        }
        blocs.append(.heading("Aménagements des conditions d'examen"))
        blocs.append(.paragraph(amenagements.isEmpty ? "Aucun aménagement accordé." : amenagements.map { "• \($0)" }.joined(separator: "\n")))
        blocs.append(.heading("Documents et matériel à apporter"))
        blocs.append(.paragraph(documentsAApporter.map { "• \($0)" }.joined(separator: "\n")))
        blocs.append(.signature(["Pour le recteur et par délégation,", "la division des examens et concours", "Générée le \(DateFrancaise.instantUTC(genereeLe))"]))
        return Document(
            title: "Convocation aux épreuves",
            issuer: ["Académie \(academie)", "Division des examens et concours", "Brevet professionnel"],
            reference: "Candidat n° \(numero) — convocation version \(version)",
            blocks: blocs,
            footer: "BP \(specialite) — \(session) — candidat n° \(numero)")
    }

    // MARK: Formats

    /// `160` → `2 h 40`; `45` → `45 min`; none → `—`.
    static func duree(_ minutes: Int?) -> String {
        minutes.map(DateFrancaise.duree) ?? "—"
    }

    static func dureeAvecMajoration(_ e: Epreuve) -> String {
        var texte = duree(e.dureeMinutes)
        if e.majorationMinutes > 0 { texte += " (dont temps majoré \(duree(e.majorationMinutes)))" }
        if let preparation = e.preparationMinutes, preparation > 0 { texte += " + préparation \(duree(preparation))" }
        return texte
    }
}
