import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit
import Synchronization

/// The public results site, open to anyone, without JavaScript, served from the precomputed
/// pages (`ResultatsPublics`) and outside every other middleware of the gateway (no session
/// lookup, no CSRF): results day's hot path.
///
/// | page | what |
/// |---|---|
/// | `GET /resultats` | the published sessions and spécialités, the lookup form |
/// | `GET /resultats/{session}/{spécialité}` | the admitted candidates who consented to the publication of their name |
/// | `GET /resultats/consultation?numero=&naissance=` | a candidate's own result (numéro + birth date), rate-limited per address |
///
/// The lists are public and cacheable (ETag, `Cache-Control: public, max-age=60`); a
/// candidate's result is personal (`private, no-store`).
struct ResultatsPublicsRoutes: Sendable {
    let resultats: ResultatsPublics
    let limite: LimiteParAdresse
    let directory: ServiceDirectory

    struct Verification: Codable {
        var document: String
        var valide: Bool
        var titulaire: String
        var specialite: String
        var session: String
        var message: String
    }

    struct PageVerification {
        var code: String
        var erreur: String?
        var resultat: Verification?
        var saisi: Bool
    }

    static let cacheListe = "public, max-age=60"

    func add(to router: Router<ServiceRequestContext>) {
        router.get("resultats") { request, _ -> Response in
            Self.page(resultats.actuel.accueil, request: request)
        }

        router.get("resultats/consultation") { request, context -> Response in
            let query = request.uri.queryParameters
            let numero = (query.get("numero") ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            let naissance = (query.get("naissance") ?? "").trimmingCharacters(in: .whitespaces)
            if numero.isEmpty && naissance.isEmpty {
                return Self.page(resultats.actuel.accueil, request: request)
            }
            guard limite.autorise(context.remoteAddress ?? "inconnue") else {
                return Self.reponse(
                    resultats.rendu.consultation(.init(
                        numero: numero, naissance: naissance,
                        erreurs: ["Trop de consultations depuis votre adresse : réessayez dans une minute."], resultat: nil, introuvable: false)),
                    status: .tooManyRequests, cache: "no-store", extra: [.retryAfter: "60"])
            }
            var erreurs: [String] = []
            if !Self.numeroValide(numero) {
                erreurs.append("Le numéro de candidat est attendu tel qu'il figure sur la convocation (lettres et chiffres, 20 au plus).")
            }
            let jour = Self.jour(naissance)
            if jour == nil {
                erreurs.append("La date de naissance est attendue au format JJ/MM/AAAA (ou AAAA-MM-JJ).")
            }
            guard erreurs.isEmpty, let jour else {
                return Self.reponse(
                    resultats.rendu.consultation(.init(
                        numero: String(numero.prefix(20)), naissance: String(naissance.prefix(10)), erreurs: erreurs, resultat: nil,
                        introuvable: false)),
                    status: .unprocessableContent, cache: "no-store")
            }
            let contenu = resultats.actuel
            let page = contenu.consultation(CleConsultation.cle(numero: numero, naissance: jour)) ?? contenu.introuvable
            return Self.reponse(page, status: .ok, cache: "private, no-store")
        }

        // A third party checks a diploma's (or relevé's, attestation's) verification code: the
        // holder's name, spécialité and session, nothing else. Rate-limited like the lookups (its
        // own count).
        router.get("verification") { request, context -> Response in
            let saisi = (request.uri.queryParameters.get("code") ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            func page(_ vue: PageVerification, _ status: HTTPResponse.Status) -> Response {
                Self.reponse(resultats.rendu.page("verification", titre: "Vérifier un diplôme", vue), status: status, cache: "no-store")
            }
            guard !saisi.isEmpty else { return page(PageVerification(code: "", saisi: false), .ok) }
            let compact = saisi.replacingOccurrences(of: "-", with: "")
            guard compact.count == 16, compact.wholeMatch(of: /[0-9A-HJKMNP-TV-Z]+/) != nil else {
                return page(PageVerification(code: String(saisi.prefix(19)),
                                             erreur: "Le code est attendu tel qu'il figure sur le document : 16 caractères (ex. 7K3M-Q9PX-2B4T-W8RD).",
                                             saisi: true), .unprocessableContent)
            }
            guard limite.autorise("verification:" + (context.remoteAddress ?? "inconnue")) else {
                return page(PageVerification(code: saisi, erreur: "Trop de vérifications depuis votre adresse : réessayez dans une minute.",
                                             saisi: true), .tooManyRequests)
            }
            let code = stride(from: 0, to: 16, by: 4).map { i in
                String(compact[compact.index(compact.startIndex, offsetBy: i)..<compact.index(compact.startIndex, offsetBy: i + 4)])
            }.joined(separator: "-")
            let publication = ServiceClient(directory: directory, service: "publication")
            let passerelle = InternalIdentity(subject: "gateway", role: .service)
            do throws(ServiceError) {
                let verification = try await publication.lire(Verification.self, "/public/verification/\(code)", as: passerelle)
                return page(PageVerification(code: code, resultat: verification, saisi: true), .ok)
            } catch where error.status == .notFound {
                return page(PageVerification(code: code, erreur: "Aucun document ne porte ce code de vérification.", saisi: true), .notFound)
            } catch {
                return page(PageVerification(code: code, erreur: error.message, saisi: true), error.status)
            }
        }

        router.get("resultats/:session/:specialite") { request, context -> Response in
            let contenu = resultats.actuel
            guard let liste = contenu.sessions[context.parameters.get("session") ?? ""]?.listes[context.parameters.get("specialite") ?? ""] else {
                return Self.reponse(contenu.introuvable, status: .notFound, cache: "no-store")
            }
            return Self.page(liste, request: request)
        }
    }

    /// 1 to 20 of `A-Z`, `0-9`, `-` (upper-cased already). Byte checks: the hot path has no Regex.
    static func numeroValide(_ numero: String) -> Bool {
        let octets = numero.utf8
        return (1...20).contains(octets.count)
            && octets.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || $0 == 0x2D }
    }

    /// `JJ/MM/AAAA` or `AAAA-MM-JJ` → `AAAA-MM-JJ`, a real day; nil otherwise. Byte checks, no
    /// Regex nor Foundation formatting: the public lookup's hot path.
    static func jour(_ texte: String) -> String? {
        let o = Array(texte.utf8)
        guard o.count == 10 else { return nil }
        func nombre(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r {
                guard (0x30...0x39).contains(o[i]) else { return nil }
                n = n * 10 + Int(o[i] - 0x30)
            }
            return n
        }
        let parties: (Int?, Int?, Int?)
        if o[2] == 0x2F, o[5] == 0x2F {
            parties = (nombre(6..<10), nombre(3..<5), nombre(0..<2))
        } else if o[4] == 0x2D, o[7] == 0x2D {
            parties = (nombre(0..<4), nombre(5..<7), nombre(8..<10))
        } else {
            return nil
        }
        guard let annee = parties.0, let mois = parties.1, let jour = parties.2, (1900...2100).contains(annee),
              Champs.existe(annee: annee, mois: mois, jour: jour)
        else { return nil }
        let chiffres = Array("0123456789".utf8)
        let sortie: [UInt8] = [chiffres[annee / 1000], chiffres[annee / 100 % 10], chiffres[annee / 10 % 10], chiffres[annee % 10], 0x2D,
                               chiffres[mois / 10], chiffres[mois % 10], 0x2D, chiffres[jour / 10], chiffres[jour % 10]]
        return String(decoding: sortie, as: UTF8.self)
    }

    /// A cacheable page: 304 when the visitor's copy is current.
    static func page(_ page: ResultatsPublics.PagePrete, request: Request) -> Response {
        if let tag = request.headers[.ifNoneMatch], tag == page.etag {
            var headers = HTTPFields()
            headers[.eTag] = page.etag
            headers[.cacheControl] = cacheListe
            return Response(status: .notModified, headers: headers)
        }
        return reponse(page.corps, status: .ok, cache: cacheListe, extra: [.eTag: page.etag])
    }

    /// The headers every public page carries (built once).
    static let entetes: HTTPFields = {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        for (name, value) in WebPageMiddleware.securityHeaders { headers[name] = value }
        return headers
    }()

    static func reponse(_ corps: ByteBuffer, status: HTTPResponse.Status, cache: String, extra: HTTPFields = [:]) -> Response {
        var headers = entetes
        headers[.cacheControl] = cache
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: corps))
    }
}

/// Lookups allowed per address and minute, in fixed windows (`CYCLADES_PUBLIC_LOOKUPS_PER_MINUTE`,
/// default 30): a counter per address, O(1) per hit. One gateway instance counts its own hits.
final class LimiteParAdresse: Sendable {
    let parMinute: Int
    private let compteurs = Mutex<(fenetre: Int64, hits: [String: Int])>((0, [:]))
    private let horloge: @Sendable () -> Int64

    init(parMinute: Int, horloge: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) / 60 }) {
        self.parMinute = parMinute
        self.horloge = horloge
    }

    func autorise(_ adresse: String) -> Bool {
        let fenetre = horloge()
        return compteurs.withLock { etat in
            if etat.fenetre != fenetre { etat = (fenetre, [:]) }
            let hits = (etat.hits[adresse] ?? 0) + 1
            etat.hits[adresse] = hits
            return hits <= parMinute
        }
    }
}
