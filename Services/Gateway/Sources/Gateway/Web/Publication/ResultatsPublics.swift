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
/// once, when Publication's generation changes (only the sessions whose version moved), and kept
/// here as bytes with its ETag. A
/// visitor's hit is a dictionary lookup — no database query, no call to a service, no rendering.
/// Only what Publication has released is ever here: the embargo is Publication's, and this copy
/// is at most one poll (a second) behind it.
final class ResultatsPublics: Sendable {
    struct PagePrete: Sendable {
        var corps: ByteBuffer
        var etag: String
    }

    /// One released session's pages, rendered when its version moved.
    struct SessionRendue: Sendable {
        var code: String
        var version: Int64
        var libelle: String
        var specialites: [RenduResultats.SpecialitePublique]
        /// Spécialité → its list of admitted candidates.
        var listes: [String: PagePrete]
        /// The lookup key (`CleConsultation`) → the candidate's result page.
        var consultations: [String: ByteBuffer]
    }

    struct Contenu: Sendable {
        /// -1 before the first successful read: nothing is public.
        var generation: Int64
        var accueil: PagePrete
        var sessions: [String: SessionRendue]
        /// The answer to a lookup that matches nothing (the same whether the numéro exists or not).
        var introuvable: ByteBuffer

        func consultation(_ cle: String) -> ByteBuffer? {
            for session in sessions.values {
                if let page = session.consultations[cle] { return page }
            }
            return nil
        }
    }

    private let contenu: Mutex<Contenu>
    let rendu: RenduResultats

    init(rendu: RenduResultats) {
        self.rendu = rendu
        contenu = Mutex(rendu.contenu(generation: -1, sessions: [:]))
    }

    var actuel: Contenu { contenu.withLock { $0 } }

    func remplacer(par nouveau: Contenu) {
        contenu.withLock { $0 = nouveau }
    }
}

/// What Publication's `/v1/public/sessions` and `/v1/public/sessions/:code/resultats` give.
enum PublicsResultats {
    struct Sessions: Decodable, Sendable {
        var generation: Int64
        var sessions: [Session]
    }

    struct Session: Decodable, Sendable {
        var session: String
        var libelle: String
        var academie: String
        var version: Int64
        var resultats: Int
        var specialites: [String: String]
    }

    struct Page: Decodable, Sendable {
        var resultats: [Ligne]
        var suite: String?
    }

    struct Ligne: Decodable, Sendable {
        var numero: String
        var cle: String
        var specialite: String
        var decision: String
        var nom: String?
        var prenoms: String?
        var sessionDeRemplacement: Bool
    }
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

    /// A session's pages: its lists by spécialité and each candidate's result.
    func session(_ session: PublicsResultats.Session, _ lignes: [PublicsResultats.Ligne]) -> ResultatsPublics.SessionRendue {
        var specialites: [SpecialitePublique] = []
        var listes: [String: ResultatsPublics.PagePrete] = [:]
        var consultations: [String: ByteBuffer] = [:]
        consultations.reserveCapacity(lignes.count)
        for (specialite, candidats) in Dictionary(grouping: lignes, by: \.specialite).sorted(by: { $0.key < $1.key }) {
            let libelle = session.specialites[specialite] ?? specialite
            let admis = candidats.filter { $0.decision == "admis" }
            let nommes = admis.compactMap { ligne in ligne.nom.map { Admis(nom: $0, prenoms: ligne.prenoms ?? "") } }
                .sorted { ($0.nom, $0.prenoms) < ($1.nom, $1.prenoms) }
            specialites.append(SpecialitePublique(
                code: specialite, libelle: libelle, admis: admis.count, href: "/resultats/\(session.session)/\(specialite)"))
            listes[specialite] = prete(page(
                "resultats-liste", titre: "Admis — \(libelle)",
                Liste(session: session.session, sessionLibelle: session.libelle, specialite: libelle, admis: nommes, nombre: admis.count,
                      anonymes: admis.count - nommes.count, aDesAnonymes: admis.count > nommes.count)), version: "\(session.session)-\(session.version)")
            for ligne in candidats {
                let nom = ligne.nom.map { "\($0) \(ligne.prenoms ?? "")" } ?? "Candidat n° \(ligne.numero)"
                consultations[ligne.cle] = consultation(Consultation(
                    numero: "", naissance: "", erreurs: [],
                    resultat: Resultat(sessionLibelle: session.libelle, specialite: libelle, nom: nom,
                                       decision: Self.decision(ligne.decision), admis: ligne.decision == "admis",
                                       remplacement: ligne.sessionDeRemplacement),
                    introuvable: false))
            }
        }
        return ResultatsPublics.SessionRendue(
            code: session.session, version: session.version, libelle: session.libelle, specialites: specialites, listes: listes,
            consultations: consultations)
    }

    /// The whole site from its sessions' pages: the home page lists them, newest first.
    func contenu(generation: Int64, sessions: [String: ResultatsPublics.SessionRendue]) -> ResultatsPublics.Contenu {
        struct Accueil {
            var sessions: [SessionPublique]
            var aucune: Bool
        }
        let liste = sessions.values.sorted { $0.code > $1.code }
            .map { SessionPublique(code: $0.code, libelle: $0.libelle, specialites: $0.specialites) }
        return ResultatsPublics.Contenu(
            generation: generation,
            accueil: prete(page("resultats-accueil", titre: "Résultats du Brevet professionnel", Accueil(sessions: liste, aucune: liste.isEmpty)),
                           version: "\(generation)"),
            sessions: sessions,
            introuvable: consultation(Consultation(numero: "", naissance: "", erreurs: [], resultat: nil, introuvable: true)))
    }

    private func prete(_ corps: ByteBuffer, version: String) -> ResultatsPublics.PagePrete {
        let empreinte = corps.withUnsafeReadableBytes { octets in
            // FNV-1a over the bytes: a stable ETag across instances (Hasher is seeded per process).
            octets.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        }
        return .init(corps: corps, etag: "\"\(version)-\(String(empreinte, radix: 16))\"")
    }
}

/// Reads Publication's generation every second and, when it moved, the released sessions whose
/// version moved, and swaps the precomputed pages. A failed read keeps the pages as they are
/// (logged, retried).
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

    /// Results of a session read per call (Publication's maximum).
    static let taillePage = 20_000

    /// One poll: the generation; when it moved, the released sessions, and the results of those
    /// whose version moved, a page at a time.
    func rafraichir() async throws {
        let client = ServiceClient(directory: directory, service: "publication")
        let passerelle = InternalIdentity(subject: "gateway", role: .service)
        struct Generation: Decodable { var generation: Int64 }
        let actuel = resultats.actuel
        let generation = try await client.lire(Generation.self, "/public/generation", as: passerelle).generation
        guard generation != actuel.generation else { return }
        let liste = try await client.lire(PublicsResultats.Sessions.self, "/public/sessions", as: passerelle)
        var sessions = actuel.sessions.filter { code, _ in liste.sessions.contains { $0.session == code } }
        let rendu = resultats.rendu
        for session in liste.sessions where sessions[session.session]?.version != session.version {
            var lignes: [PublicsResultats.Ligne] = []
            var apres: String?
            repeat {
                let suite = apres.map { "&apres=\(Affichage.requete($0))" } ?? ""
                let page = try await client.lire(
                    PublicsResultats.Page.self,
                    "/public/sessions/\(Affichage.requete(session.session))/resultats?taille=\(Self.taillePage)\(suite)", as: passerelle)
                lignes += page.resultats
                apres = page.suite
            } while apres != nil
            // Thousands of pages: rendered off the cooperative pool.
            sessions[session.session] = try await BlockingWork.run { [lignes] in rendu.session(session, lignes) }
            logger.info("public results of a session rendered", metadata: [
                "session": "\(session.session)", "version": "\(session.version)", "resultats": "\(lignes.count)"])
        }
        let fini = sessions
        resultats.remplacer(par: try await BlockingWork.run { rendu.contenu(generation: liste.generation, sessions: fini) })
    }
}

extension Task where Success == Never, Failure == Never {
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
