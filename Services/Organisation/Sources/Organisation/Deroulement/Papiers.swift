import Documents
import Domain
import Foundation
import PostgresNIO
import ServiceKit
import Storage

/// The papers of the exam days, per centre, sitting and room (DOMAIN.md step 4): émargement with
/// signature boxes, appel, affichage (door lists), PV de séance, bordereaux de sujets; table
/// labels and copy labels as label sheets. The centre prints them, or the gestionnaire instead.
struct Papiers: Sendable {
    let database: Database

    var logger: Logger { database.logger }

    enum Type_: String, CaseIterable, Sendable {
        case emargement
        case appel
        case affichage
        case pv
        case sujets
        case etiquettesTables = "etiquettes-tables"
        case etiquettesCopies = "etiquettes-copies"

        var libelle: String {
            switch self {
            case .emargement: "Liste d'émargement"
            case .appel: "Liste d'appel"
            case .affichage: "Liste d'affichage"
            case .pv: "Procès-verbal de séance"
            case .sujets: "Bordereau de sujets"
            case .etiquettesTables: "Étiquettes de table"
            case .etiquettesCopies: "Étiquettes de copie"
            }
        }
    }

    /// A seated (or not yet seated) candidate of a sitting in the centre.
    struct Ligne: Sendable {
        var debut: String?
        var specialite: String
        var unite: String
        var libelle: String
        var dureeMinutes: Int?
        var majoration: Int
        var salleSeparee: Bool
        var salle: String?
        var place: Int?
        var numero: String
        var nom: String
        var prenoms: String
        var anonymat: String?
        var sujet: String?
    }

    struct Centre: Sendable {
        var uai: String
        var nom: String
        var commune: String
        var academie: String
        var sessionLibelle: String
    }

    func lignes(session: String, centre: String, specialite: String?, unite: String?, salle: String?) async throws -> [Ligne] {
        let rows = try await database.query(SQL.query(
            """
            SELECT f.debut, f.specialite, f.unite, COALESCE(u.libelle, f.unite), f.duree_minutes, c.majoration_pourcent, c.salle_separee,
                   f.salle, f.place, c.numero, c.nom_famille, c.prenoms, a.numero, u.sujet
            FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
            LEFT JOIN \(database.table("unites")) u ON u.session = f.session AND u.specialite = f.specialite AND u.unite = f.unite
            LEFT JOIN \(database.table("anonymats")) a ON a.candidature = f.candidature AND a.unite = f.unite
            WHERE f.session = $1 AND f.centre = $2 AND f.mode = 'ponctuel' AND NOT c.annulee
              AND ($3::text IS NULL OR f.specialite = $3) AND ($4::text IS NULL OR f.unite = $4) AND ($5::text IS NULL OR f.salle = $5)
            ORDER BY f.debut NULLS LAST, f.salle NULLS LAST, f.place NULLS LAST, c.nom_famille, c.prenoms
            """, session, centre, specialite, unite, salle))
        var lignes: [Ligne] = []
        for try await (debut, spec, u, libelle, duree, majoration, separee, salle, place, numero, nom, prenoms, anonymat, sujet) in rows.decode(
            (String?, String, String, String, Int?, Int, Bool, String?, Int?, String, String, String, String?, String?).self)
        {
            lignes.append(Ligne(debut: debut, specialite: spec, unite: u, libelle: libelle, dureeMinutes: duree, majoration: majoration,
                                salleSeparee: separee, salle: salle, place: place, numero: numero, nom: nom, prenoms: prenoms,
                                anonymat: anonymat, sujet: sujet))
        }
        return lignes
    }

    func centre(session: String, uai: String) async throws -> Centre? {
        let rows = try await database.query(SQL.query(
            """
            SELECT c.uai, c.nom, c.commune, s.academie, s.libelle FROM \(database.table("centres")) c
            JOIN \(database.table("sessions")) s ON s.code = c.session WHERE c.session = $1 AND c.uai = $2
            """, session, uai))
        for try await (uai, nom, commune, academie, libelle) in rows.decode((String, String, String, String, String).self) {
            return Centre(uai: uai, nom: nom, commune: commune, academie: academie, sessionLibelle: libelle)
        }
        return nil
    }

    // MARK: Documents

    /// One document per sitting and room (the bordereau: one per sitting).
    func documents(_ type: Type_, lignes: [Ligne], centre: Centre, session: String) -> [Document] {
        let parSeance = Dictionary(grouping: lignes) { $0.debut ?? "" }.sorted { $0.key < $1.key }
        var documents: [Document] = []
        for (debut, lignesSeance) in parSeance {
            if type == .sujets {
                documents.append(bordereau(debut: debut, lignesSeance, centre: centre, session: session))
                continue
            }
            let parSalle = Dictionary(grouping: lignesSeance) { $0.salle ?? "" }.sorted { $0.key < $1.key }
            for (salle, lignesSalle) in parSalle {
                documents.append(document(type, debut: debut, salle: salle, lignesSalle, centre: centre, session: session))
            }
        }
        return documents
    }

    private func entete(_ type: Type_, debut: String, salle: String?, _ lignes: [Ligne], centre: Centre) -> [Block] {
        let unites = Dictionary(grouping: lignes, by: \.unite).keys.sorted().map { u in
            let l = lignes.first { $0.unite == u }!
            return "\(u) — \(l.libelle) (BP \(l.specialite))"
        }
        var champs = [
            Field("Centre d'épreuve", "\(centre.nom), \(centre.commune) (\(centre.uai))"),
            Field("Séance", debut.isEmpty ? "date à fixer" : DateFrancaise.horaire(debut)),
            Field("Épreuve(s)", unites.joined(separator: " ; ")),
        ]
        if let salle { champs.insert(Field("Salle", salle.isEmpty ? "non attribuée" : salle), at: 1) }
        let majores = lignes.filter { $0.majoration > 0 }.count
        champs.append(Field("Candidats", "\(lignes.count)\(majores > 0 ? " dont \(majores) avec temps majoré" : "")"))
        return [.fields(champs)]
    }

    private func document(_ type: Type_, debut: String, salle: String, _ lignes: [Ligne], centre: Centre, session: String) -> Document {
        var blocs = entete(type, debut: debut, salle: salle, lignes, centre: centre)
        let parTable = lignes.sorted { ($0.place ?? Int.max, $0.nom) < ($1.place ?? Int.max, $1.nom) }
        func duree(_ l: Ligne) -> String {
            ContenuConvocation.duree(l.dureeMinutes) + (l.majoration > 0 ? " (+\(l.majoration) %)" : "")
        }
        switch type {
        case .emargement:
            blocs.append(.paragraph("Chaque candidat signe en face de son nom à la remise de sa copie. Les surveillants portent « ABS » en face d'un candidat absent."))
            blocs.append(.table(Table(
                columns: [.init("Table", width: 0.6, alignment: .center), .init("Nom", width: 1.6), .init("Prénoms", width: 1.6),
                          .init("N° candidat", width: 1.1), .init("Unité", width: 0.7), .init("Durée", width: 1.1), .init("Signature", width: 2.2)],
                rows: parTable.map { [$0.place.map(String.init) ?? "—", $0.nom.uppercased(), $0.prenoms, $0.numero, $0.unite, duree($0), ""] },
                minimumRowHeight: 28)))
            blocs.append(.signature(["Les surveillants", "(nom et signature)"]))
        case .appel:
            blocs.append(.table(Table(
                columns: [.init("Table", width: 0.6, alignment: .center), .init("Nom", width: 1.8), .init("Prénoms", width: 1.8),
                          .init("N° candidat", width: 1.2), .init("Unité", width: 0.7), .init("Présent", width: 0.8, alignment: .center),
                          .init("Absent", width: 0.8, alignment: .center)],
                rows: parTable.map { [$0.place.map(String.init) ?? "—", $0.nom.uppercased(), $0.prenoms, $0.numero, $0.unite, "☐", "☐"] })))
        case .affichage:
            blocs.append(.paragraph("Liste à afficher à la porte de la salle. Les candidats sont rangés par ordre alphabétique."))
            blocs.append(.table(Table(
                columns: [.init("Nom", width: 2), .init("Prénoms", width: 2), .init("Salle", width: 1), .init("Table", width: 0.7, alignment: .center)],
                rows: lignes.sorted { ($0.nom, $0.prenoms) < ($1.nom, $1.prenoms) }.map {
                    [$0.nom.uppercased(), $0.prenoms, $0.salle ?? "—", $0.place.map(String.init) ?? "—"]
                })))
        case .pv:
            blocs.append(.fields([
                Field("Heure d'ouverture des sujets", "……… h ………"),
                Field("Heure de fin (hors temps majoré)", "……… h ………"),
                Field("Inscrits", "\(lignes.count)"),
                Field("Présents", "………"),
                Field("Absents", "………"),
                Field("Copies remises", "………"),
            ]))
            blocs.append(.heading("Incidents"))
            blocs.append(.paragraph("………………………………………………………………………………………………………………\n………………………………………………………………………………………………………………\n………………………………………………………………………………………………………………"))
            blocs.append(.signature(["Le responsable de la salle", "et les surveillants"]))
        case .sujets, .etiquettesTables, .etiquettesCopies:
            break
        }
        return Document(
            title: type.libelle,
            issuer: ["Académie \(centre.academie)", "Division des examens et concours", "Brevet professionnel — \(centre.sessionLibelle)"],
            reference: "\(centre.uai) — salle \(salle.isEmpty ? "—" : salle) — \(debut.isEmpty ? "date à fixer" : DateFrancaise.horaire(debut))",
            blocks: blocs,
            footer: "\(type.libelle) — \(session) — centre \(centre.uai)")
    }

    private func bordereau(debut: String, _ lignes: [Ligne], centre: Centre, session: String) -> Document {
        var blocs = entete(.sujets, debut: debut, salle: nil, lignes, centre: centre)
        let groupes = Dictionary(grouping: lignes) { "\($0.specialite)|\($0.unite)|\($0.salle ?? "")" }.sorted { $0.key < $1.key }
        blocs.append(.paragraph("Sujets à préparer par salle (un sujet par candidat et un de réserve par salle). Les enveloppes sont ouvertes en salle, devant les candidats, à l'heure de la séance."))
        blocs.append(.table(Table(
            columns: [.init("Unité", width: 0.7), .init("Épreuve", width: 2.2), .init("Sujet", width: 1.4), .init("Salle", width: 0.9),
                      .init("Candidats", width: 0.9, alignment: .center), .init("Temps majoré", width: 0.9, alignment: .center),
                      .init("Sujets", width: 0.7, alignment: .center)],
            rows: groupes.map { _, g in
                let l = g[0]
                return [l.unite, "\(l.libelle) (BP \(l.specialite))", l.sujet ?? "—", l.salle ?? "—", "\(g.count)",
                        "\(g.filter { $0.majoration > 0 }.count)", "\(g.count + 1)"]
            })))
        blocs.append(.signature(["Reçu par le chef de centre", "le ……/……/……… à ……… h ………"]))
        return Document(
            title: Type_.sujets.libelle,
            issuer: ["Académie \(centre.academie)", "Division des examens et concours", "Brevet professionnel — \(centre.sessionLibelle)"],
            reference: "\(centre.uai) — \(debut.isEmpty ? "date à fixer" : DateFrancaise.horaire(debut))",
            blocks: blocs,
            footer: "Bordereau de sujets — \(session) — centre \(centre.uai)")
    }

    /// Table labels (one per seated candidate) or copy labels (one per copy, its numéro d'anonymat).
    func etiquettes(_ type: Type_, lignes: [Ligne]) -> LabelSheet {
        let assis = lignes.filter { $0.salle != nil }
        switch type {
        case .etiquettesCopies:
            return LabelSheet(columns: 3, rows: 8, labels: assis.compactMap { l in
                l.anonymat.map { ["N° d'anonymat \($0)", "BP \(l.specialite) — unité \(l.unite)", DateFrancaise.horaire(l.debut),
                                  "Salle \(l.salle ?? "—") — table \(l.place.map(String.init) ?? "—")"] }
            })
        default:
            return LabelSheet(columns: 3, rows: 8, labels: assis.map { l in
                ["Table \(l.place.map(String.init) ?? "—") — salle \(l.salle ?? "—")", "\(l.nom.uppercased()) \(l.prenoms)", "Candidat n° \(l.numero)",
                 "\(l.unite) — \(DateFrancaise.horaire(l.debut))"]
            })
        }
    }
}
