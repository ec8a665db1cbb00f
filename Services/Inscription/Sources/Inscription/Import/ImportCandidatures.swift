import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Hummingbird
import Storage

/// Bulk registration of an établissement's students from a CSV file (header documented in the
/// service's README). A dry run (`essai`) reports every error by line and writes nothing; the real
/// run registers every valid line in one transaction (set-based) and skips the students already
/// registered in this session by this établissement, so replaying a file changes nothing.
struct ImportCandidatures: Sendable {
    let inscriptions: Inscriptions

    var database: Database { inscriptions.database }
    var logger: Logger { database.logger }

    static let colonnes = [
        "ine", "nom_famille", "nom_usage", "prenoms", "sexe", "date_naissance", "commune_naissance", "pays_naissance",
        "adresse", "code_postal", "commune", "courriel", "telephone", "categorie", "specialite", "options", "facultative", "forme",
        "consentement_publication",
    ]
    static let obligatoires: Set<String> = ["nom_famille", "prenoms", "sexe", "date_naissance", "categorie", "specialite", "forme"]
    static let lignesMaximum = 20_000

    struct Erreur: Codable, Sendable, Equatable {
        var ligne: Int
        var champ: String
        var code: String
        var message: String
    }

    struct Rapport: Codable, Sendable {
        var essai: Bool
        var lignes: Int
        var valides: Int
        var erreurs: [Erreur]
        /// Real run: candidatures created (validated when asked).
        var inscrites: Int
        /// Students of the file already registered in this session by this établissement.
        var dejaInscrites: Int
        var validees: Int
    }

    /// A valid line, ready to be written.
    private struct Prete: Sendable {
        var ligne: Int
        var candidat: Candidat
        var choix: Choix
        var resultat: ReglesInscription.Resultat
    }

    func importer(_ octets: [UInt8], session code: SessionCode, uai: UAI, essai: Bool, valider: Bool, par appelant: InternalIdentity) async throws -> Rapport {
        guard appelant.role == .gestionnaire || appelant.hasScope("uai", uai.value) else { throw Portee.refus }
        let session = try await inscriptions.session(code)
        let centre = try await inscriptions.referentiel.centre(uai.value, session: code)
        // Reading and checking every line is seconds of CPU for a large file: off the pool.
        let (lignes, pretes, erreurs) = try await BlockingWork.run {
            try Self.lire(octets, session: session, centre: centre, uai: uai, appelant: appelant)
        }
        var rapport = Rapport(essai: essai, lignes: lignes, valides: pretes.count, erreurs: erreurs, inscrites: 0, dejaInscrites: 0, validees: 0)
        if essai {
            try await database.transaction { connection in
                let (_, conflits, _) = try await self.trier(pretes, session: code, uai: uai, par: appelant, on: connection)
                rapport.erreurs += conflits
            }
            rapport.erreurs.sort { ($0.ligne, $0.champ) < ($1.ligne, $1.champ) }
            rapport.valides = rapport.lignes - Set(rapport.erreurs.map(\.ligne)).count
            return rapport
        }
        try await database.transaction { connection in
            // Two imports for the same établissement and session never interleave.
            try await connection.query(SQL.query("SELECT pg_advisory_xact_lock(hashtext($1))", "import:\(code.value):\(uai.value)"), logger: logger)
            let (nouvelles, conflits, connus) = try await self.trier(pretes, session: code, uai: uai, par: appelant, on: connection)
            rapport.erreurs += conflits
            rapport.dejaInscrites = pretes.count - nouvelles.count - conflits.count
            try await self.ecrire(nouvelles, connus: connus, session: session, centre: centre, valider: valider, par: appelant, on: connection)
            rapport.inscrites = nouvelles.count
            rapport.validees = valider ? nouvelles.count : 0
        }
        rapport.erreurs.sort { ($0.ligne, $0.champ) < ($1.ligne, $1.champ) }
        rapport.valides = rapport.lignes - Set(rapport.erreurs.map(\.ligne)).count
        return rapport
    }

    /// Splits the valid lines: new ones, those already registered here (skipped), and those that
    /// clash with a candidature of another établissement (errors: one BP per session, homonyms).
    /// Reads the file and checks every line against the rules of registration: the number of
    /// lines, the valid ones ready to write, the errors by line. Pure computation.
    private static func lire(
        _ octets: [UInt8], session: SessionInscription, centre: CentreInscription?, uai: UAI, appelant: InternalIdentity
    ) throws -> (lignes: Int, pretes: [Prete], erreurs: [Erreur]) {
        let lignes = LecteurCSV.lignes(LecteurCSV.texte(octets))
        guard let entete = lignes.first else {
            throw ServiceError.invalid("import.vide", "Le fichier est vide : la première ligne porte les noms des colonnes (voir la documentation).")
        }
        let noms = entete.cellules.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let inconnues = noms.filter { !Self.colonnes.contains($0) }
        let manquantes = Self.obligatoires.subtracting(noms).sorted()
        guard inconnues.isEmpty && manquantes.isEmpty else {
            var details: [ServiceError.Detail] = inconnues.map { .init(location: "ligne 1", code: "import.colonne_inconnue", message: "Colonne « \($0) » inconnue.") }
            details += manquantes.map { .init(location: "ligne 1", code: "import.colonne_manquante", message: "Colonne « \($0) » obligatoire absente.") }
            throw ServiceError.invalid("import.entete", "L'en-tête du fichier n'est pas celui attendu : \(Self.colonnes.joined(separator: ";")).", details: details)
        }
        guard lignes.count - 1 <= Self.lignesMaximum else {
            throw ServiceError.invalid("import.trop_grand", "Au plus \(Self.lignesMaximum) lignes par fichier (reçu \(lignes.count - 1)).")
        }

        var erreurs: [Erreur] = []
        var pretes: [Prete] = []
        var vusINE: [String: Int] = [:]
        var vusIdentite: [String: Int] = [:]
        let signataire = InternalIdentity(subject: appelant.subject, role: appelant.role == .gestionnaire ? .gestionnaire : .etablissement, scopes: appelant.scopes)
        for ligne in lignes.dropFirst() {
            var valeurs: [String: String] = [:]
            for (index, nom) in noms.enumerated() where index < ligne.cellules.count { valeurs[nom] = ligne.cellules[index] }
            if ligne.cellules.count != noms.count {
                erreurs.append(Erreur(ligne: ligne.numero, champ: "ligne", code: "import.colonnes",
                                      message: "La ligne compte \(ligne.cellules.count) colonnes au lieu de \(noms.count)."))
                continue
            }
            let saisie = Saisie(
                candidat: .init(ine: valeurs["ine"], nomFamille: valeurs["nom_famille"], nomUsage: valeurs["nom_usage"], prenoms: valeurs["prenoms"],
                                sexe: valeurs["sexe"], dateNaissance: valeurs["date_naissance"], communeNaissance: valeurs["commune_naissance"],
                                paysNaissance: valeurs["pays_naissance"], adresse: valeurs["adresse"], codePostal: valeurs["code_postal"],
                                commune: valeurs["commune"], courriel: valeurs["courriel"], telephone: valeurs["telephone"]),
                categorie: valeurs["categorie"], uai: uai.value, specialite: valeurs["specialite"],
                options: (valeurs["options"] ?? "").split(separator: ",").map(String.init),
                facultatives: (valeurs["facultative"] ?? "").split(separator: ",").map(String.init),
                forme: valeurs["forme"], benefices: nil, dispenses: nil, accepterHomonyme: nil,
                // No column, or an empty cell: no consent to the publication of the name.
                consentementPublication: valeurs["consentement_publication"].map(OuiNon.init(cellule:)))
            var v = Verification()
            guard let lu = saisie.lire(&v) else {
                erreurs += v.details.map { Erreur(ligne: ligne.numero, champ: Self.colonne($0.location), code: $0.code, message: $0.message) }
                continue
            }
            let (candidat, choix) = lu
            if choix.categorie == .individuel {
                erreurs.append(Erreur(ligne: ligne.numero, champ: "categorie", code: "candidature.uai_grand_public",
                                      message: "Un candidat individuel (Grand Public) s'inscrit lui-même, pas par un établissement."))
                continue
            }
            do {
                let resultat = try ReglesInscription(
                    session: session, candidat: candidat, choix: choix, centre: centre, appelant: signataire,
                    piecesValables: [], choixValide: nil).verifier()
                if let ine = candidat.ine, let premiere = vusINE[ine] {
                    erreurs.append(Erreur(ligne: ligne.numero, champ: "ine", code: "import.doublon",
                                          message: "Même INE \(ine) qu'à la ligne \(premiere)."))
                    continue
                }
                if let premiere = vusIdentite[candidat.cleIdentite] {
                    erreurs.append(Erreur(ligne: ligne.numero, champ: "nom_famille", code: "import.doublon",
                                          message: "Même nom, prénom et date de naissance qu'à la ligne \(premiere)."))
                    continue
                }
                if let ine = candidat.ine { vusINE[ine] = ligne.numero }
                vusIdentite[candidat.cleIdentite] = ligne.numero
                pretes.append(Prete(ligne: ligne.numero, candidat: candidat, choix: choix, resultat: resultat))
            } catch {
                let details = error.details.isEmpty ? [ServiceError.Detail(location: "ligne", code: error.code, message: error.message)] : error.details
                erreurs += details.map { Erreur(ligne: ligne.numero, champ: Self.colonne($0.location), code: $0.code, message: $0.message) }
            }
        }

        return (lignes.count - 1, pretes, erreurs)
    }

    private func trier(
        _ pretes: [Prete], session: SessionCode, uai: UAI, par appelant: InternalIdentity, on connection: PostgresConnection
    ) async throws -> ([Prete], [Erreur], [String: CandidatureRepository.CandidatConnu]) {
        guard !pretes.isEmpty else { return ([], [], [:]) }
        let rows = try await connection.query(SQL.query(
            """
            SELECT d.ine, d.cle_identite, c.uai, c.numero FROM \(database.table("candidatures")) c
            JOIN \(database.table("candidats")) d ON d.id = c.candidat
            WHERE c.session = $1 AND c.etat <> 'annulee'
              AND (d.ine = ANY($2) OR d.cle_identite = ANY($3))
            """, session.value, pretes.compactMap(\.candidat.ine), pretes.map(\.candidat.cleIdentite)), logger: logger)
        var parINE: [String: (String?, String)] = [:]
        var parCle: [String: (String?, String)] = [:]
        for try await (ine, cle, autreUAI, numero) in rows.decode((String?, String, String?, String).self) {
            if let ine { parINE[ine] = (autreUAI, numero) }
            parCle[cle] = (autreUAI, numero)
        }
        var nouvelles: [Prete] = []
        var erreurs: [Erreur] = []
        for prete in pretes {
            let existante = prete.candidat.ine.flatMap { parINE[$0] } ?? parCle[prete.candidat.cleIdentite]
            guard let (autreUAI, numero) = existante else { nouvelles.append(prete); continue }
            if autreUAI == uai.value { continue }  // already registered by this établissement: idempotent replay
            // Another's candidature: the gestionnaire sees which; anyone else only the rule.
            let detail = appelant.role == .gestionnaire ? " (n° \(numero)\(autreUAI.map { ", établissement \($0)" } ?? ""))" : ""
            erreurs.append(Erreur(ligne: prete.ligne, champ: prete.candidat.ine != nil ? "ine" : "nom_famille", code: "candidature.specialite_unique",
                                  message: "Ce candidat a déjà une candidature dans la session\(detail) : un seul BP par session."))
        }
        // A student known by his INE keeps the identity stored: the file changes it only for whoever
        // follows him, links to it when it says exactly the same, and is refused otherwise.
        let connus = try await inscriptions.candidatures.candidatsConnus(ines: nouvelles.compactMap(\.candidat.ine), on: connection)
        var retenues: [Prete] = []
        for prete in nouvelles {
            guard let ine = prete.candidat.ine, let connu = connus[ine], connu.candidat != prete.candidat,
                  !Portee.peutModifierIdentite(appelant, connu)
            else { retenues.append(prete); continue }
            erreurs.append(Erreur(ligne: prete.ligne, champ: "ine", code: Portee.identitePartagee.code, message: Portee.identitePartagee.message))
        }
        return (retenues, erreurs, connus)
    }

    /// Set-based writes: candidats (reusing those known by INE), candidatures, history, and when
    /// validated, confirmations and events.
    private func ecrire(_ pretes: [Prete], connus candidatsConnus: [String: CandidatureRepository.CandidatConnu], session: SessionInscription,
                        centre: CentreInscription?, valider: Bool, par appelant: InternalIdentity, on connection: PostgresConnection) async throws {
        guard !pretes.isEmpty else { return }
        let candidats = database.table("candidats"), candidatures = database.table("candidatures")
        let connus = candidatsConnus.mapValues(\.id)
        // Known students whose identity the file changes (`trier` kept only those the caller follows).
        for prete in pretes {
            guard let ine = prete.candidat.ine, let connu = candidatsConnus[ine], connu.candidat != prete.candidat else { continue }
            try await inscriptions.candidatures.mettreAJour(connu.id, prete.candidat, on: connection)
        }
        for tranche in stride(from: 0, to: pretes.count, by: 1000).map({ Array(pretes[$0..<min($0 + 1000, pretes.count)]) }) {
            let idsCandidats = tranche.map { p in p.candidat.ine.flatMap { connus[$0] } ?? UUID() }
            let neufs = zip(tranche, idsCandidats).filter { p, _ in p.candidat.ine.flatMap { connus[$0] } == nil }
            if !neufs.isEmpty {
                let c = neufs.map(\.0.candidat)
                try await connection.query(SQL.query(
                    """
                    INSERT INTO \(candidats) (id, ine, nom_famille, nom_usage, prenoms, sexe, date_naissance, commune_naissance, pays_naissance,
                        adresse, code_postal, commune, courriel, telephone, cle_identite)
                    SELECT t.id, NULLIF(t.ine, ''), t.nom, NULLIF(t.usage, ''), t.prenoms, t.sexe, t.naissance, t.commune_naissance,
                        t.pays, t.adresse, t.cp, t.commune, NULLIF(t.courriel, ''), NULLIF(t.telephone, ''), t.cle
                    FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::text[],
                        $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
                        AS t(id, ine, nom, usage, prenoms, sexe, naissance, commune_naissance, pays, adresse, cp, commune, courriel, telephone, cle)
                    """,
                    neufs.map(\.1), c.map { $0.ine ?? "" }, c.map(\.nomFamille), c.map { $0.nomUsage ?? "" }, c.map(\.prenoms), c.map(\.sexe.rawValue),
                    c.map(\.dateNaissance), c.map(\.communeNaissance), c.map(\.paysNaissance), c.map(\.adresse), c.map(\.codePostal),
                    c.map(\.commune), c.map { $0.courriel ?? "" }, c.map { $0.telephone ?? "" }, c.map(\.cleIdentite)), logger: logger)
            }
            let ids = tranche.map { _ in UUID() }
            let choix = tranche.map(\.choix)
            try await connection.query(SQL.query(
                """
                INSERT INTO \(candidatures) (id, numero, session, candidat, categorie, uai, specialite, options, facultatives, forme,
                    etat, unites, categorie_reglementaire, reglement_version, revision, cree_par, validee_le, consentement_publication)
                SELECT t.id, lpad(nextval('\(database.schema).numero_candidat')::text, 8, '0'), $3, t.candidat, t.categorie, $4,
                    t.specialite, string_to_array(t.options, ','), string_to_array(t.facultatives, ','), t.forme,
                    $11, CASE WHEN $11 = 'validee' THEN t.unites::jsonb END, CASE WHEN $11 = 'validee' THEN t.categorie_reglementaire END,
                    CASE WHEN $11 = 'validee' THEN $12::int4 END, CASE WHEN $11 = 'validee' THEN 2 ELSE 1 END, $13,
                    CASE WHEN $11 = 'validee' THEN now() END, t.consentement
                FROM UNNEST($1::uuid[], $2::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $14::text[],
                            $15::bool[])
                    AS t(id, candidat, categorie, specialite, options, facultatives, forme, unites, categorie_reglementaire, consentement)
                """,
                ids, idsCandidats, session.code.value, centre?.uai, choix.map(\.categorie.rawValue), choix.map(\.specialite),
                choix.map { $0.options.joined(separator: ",") }, choix.map { $0.facultatives.joined(separator: ",") },
                choix.map(\.forme.rawValue), try tranche.map { try CandidatureRepository.json($0.resultat.unites) },
                valider ? "validee" : "brouillon", tranche.first?.resultat.reglementVersion ?? 0, appelant.subject,
                tranche.map(\.resultat.categorieReglementaire.rawValue), choix.map(\.consentementPublication)), logger: logger)
            try await connection.query(SQL.query(
                """
                INSERT INTO \(database.table("historique")) (candidature, par, role, action)
                SELECT id, $2, $3, a FROM UNNEST($1::uuid[]) AS id, unnest($4::text[]) AS a
                """, ids, appelant.subject, appelant.role.rawValue, valider ? ["import", "validation"] : ["import"]), logger: logger)
            if valider {
                let lues = try await inscriptions.candidatures.lire(ids, on: connection)
                var confirmations: [(UUID, String)] = []
                var evenements: [OutboxWriter.Entry] = []
                for candidature in lues {
                    confirmations.append((candidature.id, try CandidatureRepository.json(ContenuConfirmation(candidature, session: session))))
                    evenements.append(try inscriptions.outbox.entry(
                        CandidatureValidee(try Inscriptions.etat(candidature, centre: centre)), aggregate: candidature.id.uuidString))
                }
                try await connection.query(SQL.query(
                    """
                    INSERT INTO \(database.table("confirmations")) (candidature, version, generee_par, contenu)
                    SELECT id, 1, $3, contenu::jsonb FROM UNNEST($1::uuid[], $2::text[]) AS t(id, contenu)
                    """, confirmations.map(\.0), confirmations.map(\.1), appelant.subject), logger: logger)
                try await inscriptions.outbox.write(evenements, on: connection, logger: logger)
            }
        }
    }

    /// `candidat.dateNaissance` → `date_naissance` (the file's column names).
    static func colonne(_ location: String) -> String {
        let nom = location.replacingOccurrences(of: "candidat.", with: "")
        var resultat = ""
        for c in nom {
            if c.isUppercase { resultat += "_" + c.lowercased() } else { resultat.append(c) }
        }
        return resultat == "facultatives" ? "facultative" : resultat
    }
}

extension ImportCandidatures.Rapport: ResponseEncodable {}
