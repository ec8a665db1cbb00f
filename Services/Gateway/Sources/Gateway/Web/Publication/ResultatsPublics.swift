import Foundation
import Hummingbird
import Logging
import Mustache
import NIOCore
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The public results site, precomputed: every page it can answer (the home page, the list of
/// admitted candidates of each session and spécialité, each candidate's own result) is rendered
/// once, when Publication's generation changes, and kept here as bytes with its ETag. A
/// visitor's hit is a dictionary lookup — no database query, no call to a service, no rendering.
/// Only what Publication has released is ever here: the embargo is Publication's, and this copy
/// is at most one poll (a second) behind it.
final class ResultatsPublics: Sendable {
    struct PagePrete: Sendable {
        var corps: ByteBuffer
        var etag: String
    }

    struct Contenu: Sendable {
        /// -1 before the first successful read: nothing is public.
        var generation: Int64
        var accueil: PagePrete
        /// `<session>/<spécialité>` → its list.
        var listes: [String: PagePrete]
        /// The lookup key (`CleConsultation`) → the candidate's result page.
        var consultations: [String: ByteBuffer]
        /// The answer to a lookup that matches nothing (the same whether the numéro exists or not).
        var introuvable: ByteBuffer
    }

    private let contenu: Mutex<Contenu>
    let rendu: RenduResultats

    init(rendu: RenduResultats) {
        self.rendu = rendu
        contenu = Mutex(rendu.contenu(generation: -1, publics: .init(generation: -1, specialites: [:], resultats: [])))
    }

    var actuel: Contenu { contenu.withLock { $0 } }

    func remplacer(par nouveau: Contenu) {
        contenu.withLock { $0 = nouveau }
    }
}

/// What Publication's `/v1/public/resultats` gives.
struct PublicsResultats: Decodable, Sendable {
    struct Ligne: Decodable, Sendable {
        var session: String
        var sessionLibelle: String
        var academie: String
        var specialite: String
        var numero: String
        var cle: String
        var decision: String
        var nom: String?
        var prenoms: String?
        var sessionDeRemplacement: Bool
    }

    var generation: Int64
    var specialites: [String: [String: String]]
    var resultats: [Ligne]
}

/// Renders the public pages from Publication's data, with the gateway's one layout (anonymous).
struct RenduResultats: Sendable {
    let library: MustacheLibrary

    struct Vue {
        var cadre: WebRenderer.Cadre
        var page: Any
    }

    struct SessionPublique {
        var code: String
        var libelle: String
        var specialites: [SpecialitePublique]
    }

    struct SpecialitePublique {
        var code: String
        var libelle: String
        var admis: Int
        var href: String
    }

    struct Admis {
        var nom: String
        var prenoms: String
    }

    struct Liste {
        var session: String
        var sessionLibelle: String
        var specialite: String
        var admis: [Admis]
        var nombre: Int
        var anonymes: Int
        var aDesAnonymes: Bool
    }

    struct Consultation {
        var numero: String
        var naissance: String
        var erreurs: [String]
        /// Stored: Mustache sees stored properties only.
        var aDesErreurs: Bool
        var resultat: Resultat?
        var introuvable: Bool

        init(numero: String, naissance: String, erreurs: [String], resultat: Resultat?, introuvable: Bool) {
            self.numero = numero
            self.naissance = naissance
            self.erreurs = erreurs
            aDesErreurs = !erreurs.isEmpty
            self.resultat = resultat
            self.introuvable = introuvable
        }
    }

    struct Resultat {
        var sessionLibelle: String
        var specialite: String
        var nom: String
        var decision: String
        var admis: Bool
        var remplacement: Bool
    }

    static func decision(_ code: String) -> String {
        switch code {
        case "admis": "Admis"
        case "ajourne": "Ajourné"
        case "en_cours": "Forme progressive : unités restant à passer"
        case "absent": "Absent"
        default: code
        }
    }

    func page(_ template: String, titre: String, _ page: Any) -> ByteBuffer {
        let cadre = WebRenderer.Cadre(titre: titre, utilisateur: nil, navigation: [], accueil: "/resultats", csrf: "")
        return ByteBuffer(string: library.render(Vue(cadre: cadre, page: page), withTemplate: template)
            ?? "<!doctype html><html lang=\"fr\"><title>Erreur</title><p>Page introuvable : \(template).</p></html>")
    }

    func consultation(_ consultation: Consultation) -> ByteBuffer {
        page("resultats-consultation", titre: "Consulter son résultat", consultation)
    }

    func contenu(generation: Int64, publics: PublicsResultats) -> ResultatsPublics.Contenu {
        var parSession: [String: [PublicsResultats.Ligne]] = [:]
        for ligne in publics.resultats { parSession[ligne.session, default: []].append(ligne) }
        var sessions: [SessionPublique] = []
        var listes: [String: ResultatsPublics.PagePrete] = [:]
        var consultations: [String: ByteBuffer] = [:]
        for (code, lignes) in parSession.sorted(by: { $0.key > $1.key }) {
            let libelles = publics.specialites[code] ?? [:]
            let sessionLibelle = lignes.first?.sessionLibelle ?? code
            var specialites: [SpecialitePublique] = []
            for (specialite, candidats) in Dictionary(grouping: lignes, by: \.specialite).sorted(by: { $0.key < $1.key }) {
                let libelle = libelles[specialite] ?? specialite
                let admis = candidats.filter { $0.decision == "admis" }
                let nommes = admis.compactMap { ligne in ligne.nom.map { Admis(nom: $0, prenoms: ligne.prenoms ?? "") } }
                    .sorted { ($0.nom, $0.prenoms) < ($1.nom, $1.prenoms) }
                let href = "/resultats/\(code)/\(specialite)"
                specialites.append(SpecialitePublique(code: specialite, libelle: libelle, admis: admis.count, href: href))
                listes["\(code)/\(specialite)"] = prete(page(
                    "resultats-liste", titre: "Admis — \(libelle)",
                    Liste(session: code, sessionLibelle: sessionLibelle, specialite: libelle, admis: nommes, nombre: admis.count,
                          anonymes: admis.count - nommes.count, aDesAnonymes: admis.count > nommes.count)), generation: generation)
                for ligne in candidats {
                    let nom = ligne.nom.map { "\($0) \(ligne.prenoms ?? "")" } ?? "Candidat n° \(ligne.numero)"
                    consultations[ligne.cle] = consultation(Consultation(
                        numero: "", naissance: "", erreurs: [],
                        resultat: Resultat(sessionLibelle: ligne.sessionLibelle, specialite: libelle, nom: nom,
                                           decision: Self.decision(ligne.decision), admis: ligne.decision == "admis",
                                           remplacement: ligne.sessionDeRemplacement),
                        introuvable: false))
                }
            }
            sessions.append(SessionPublique(code: code, libelle: sessionLibelle, specialites: specialites))
        }
        struct Accueil {
            var sessions: [SessionPublique]
            var aucune: Bool
        }
        return ResultatsPublics.Contenu(
            generation: generation,
            accueil: prete(page("resultats-accueil", titre: "Résultats du Brevet professionnel",
                                Accueil(sessions: sessions, aucune: sessions.isEmpty)), generation: generation),
            listes: listes, consultations: consultations,
            introuvable: consultation(Consultation(numero: "", naissance: "", erreurs: [], resultat: nil, introuvable: true)))
    }

    private func prete(_ corps: ByteBuffer, generation: Int64) -> ResultatsPublics.PagePrete {
        let empreinte = corps.withUnsafeReadableBytes { octets in
            // FNV-1a over the bytes: a stable ETag across instances (Hasher is seeded per process).
            octets.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        }
        return .init(corps: corps, etag: "\"\(generation)-\(String(empreinte, radix: 16))\"")
    }
}

/// Reads Publication's generation every second and, when it moved, its released results, and
/// swaps the precomputed pages. A failed read keeps the pages as they are (logged, retried).
struct RafraichissementResultats: Service {
    let directory: ServiceDirectory
    let resultats: ResultatsPublics
    let logger: Logger
    var intervalle: Duration = .seconds(1)

    func run() async throws {
        var echecs = 0
        while !Task.isCancelledOrShuttingDown {
            do {
                try await rafraichir()
                echecs = 0
            } catch {
                echecs += 1
                // Publication down or starting: say it once, then every minute.
                if echecs == 1 || echecs % 60 == 0 {
                    logger.warning("public results not refreshed", metadata: ["error": "\(error)", "echecs": "\(echecs)"])
                }
            }
            try? await Task.sleep(for: intervalle)
        }
    }

    /// One poll: the generation, and the whole released data when it moved.
    func rafraichir() async throws {
        let client = ServiceClient(directory: directory, service: "publication")
        let passerelle = InternalIdentity(subject: "gateway", role: .service)
        struct Generation: Decodable { var generation: Int64 }
        let generation = try await client.lire(Generation.self, "/public/generation", as: passerelle).generation
        guard generation != resultats.actuel.generation else { return }
        let publics = try await client.lire(PublicsResultats.self, "/public/resultats", as: passerelle)
        let rendu = resultats.rendu
        // Thousands of pages: rendered off the cooperative pool.
        let contenu = try await BlockingWork.run { rendu.contenu(generation: publics.generation, publics: publics) }
        resultats.remplacer(par: contenu)
        logger.info("public results refreshed", metadata: [
            "generation": "\(publics.generation)", "resultats": "\(publics.resultats.count)"])
    }
}

extension Task where Success == Never, Failure == Never {
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
