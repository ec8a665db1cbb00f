import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// Issue 12: bad input never stops a process, and the gateway's identity and edge hardening.
@Suite("Gateway hardening (issue 12)")
struct DurcissementTests {
    static let nombresHostiles = [
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-1", "0", "abc", "1e3", "",
        String(repeating: "9", count: 400),
    ]

    /// The service's own `/health`, straight on its socket: it still answers after the requests.
    static func sante(_ url: String) async throws -> Int {
        guard let adresse = URL(string: "\(url)/health") else { throw TestStackError("bad url \(url)") }
        let (_, reponse) = try await URLSession.shared.data(from: adresse)
        return (reponse as? HTTPURLResponse)?.statusCode ?? 0
    }

    @Test("huge, negative or non-numeric page/taille: 422 naming the parameter on every list of the API, a bounded page on the web, and every process still answers /health")
    func paginationHostile() async throws {
        try await ServicesEnAval.reglementation { reglementation in
            try await InscriptionEnAval.avec { inscription in
                try await Passerelle.avec(services: ["reglementation": reglementation, "inscription": inscription.url]) { p in
                    let gestionnaire = try await p.jeton(try await p.compte(.gestionnaire))
                    let admin = try await p.jeton(try await p.compte(.admin))
                    let listes = [
                        ("/api/v1/reglementation/sessions", gestionnaire),
                        ("/api/v1/inscription/sessions/\(inscription.session)/candidatures", gestionnaire),
                        ("/api/v1/comptes", gestionnaire),
                        ("/api/v1/audit", admin),
                    ]
                    for (liste, jeton) in listes {
                        for parametre in ["page", "taille"] {
                            for valeur in Self.nombresHostiles {
                                let uri = "\(liste)?\(parametre)=\(valeur)"
                                let reponse = try await p.appel(.get, uri, jeton: jeton)
                                #expect(reponse.status == .unprocessableContent, "\(uri): \(reponse.status) \(reponse.texte.prefix(300))")
                                if reponse.status == .unprocessableContent {
                                    #expect(try reponse.probleme.details?.contains { $0.location == parametre } == true, "\(uri): \(reponse.texte.prefix(300))")
                                    #expect(reponse.texte.count < 2000, "the error does not echo a huge parameter")
                                }
                            }
                        }
                        let derniere = try await p.appel(.get, "\(liste)?page=1000000&taille=200", jeton: jeton)
                        #expect(derniere.status == .ok, "\(liste): the largest page is an empty page, \(derniere.texte.prefix(300))")
                    }
                    // The web pages bound the page number instead (a link never answers 422).
                    let cookie: HTTPFields = [.cookie: "\(UserSessionMiddleware.cookieName)=\(gestionnaire)"]
                    for page in ["/comptes", "/journal", "/gestionnaire/sessions"] {
                        for valeur in ["9223372036854775807", "-9223372036854775808", "abc"] {
                            let reponse = try await p.appel(.get, "\(page)?page=\(valeur)", headers: cookie)
                            #expect(reponse.status == .ok, "\(page)?page=\(valeur): \(reponse.status)")
                        }
                    }
                    let sante = try await p.appel(.get, "/health")
                    #expect(sante.status.code < 600 && (try? sante.objet["service"] as? String) == "gateway", "\(sante.texte)")
                }
                #expect(try await Self.sante(inscription.url) > 0)
            }
            #expect(try await Self.sante(reglementation) > 0)
        }
    }

    @Test("an offset built past the bounds saturates instead of trapping")
    func offsetSature() {
        #expect(ServiceKit.Pagination(page: Int.max, taille: 200).offset == Int.max)
        #expect(ServiceKit.Pagination(page: 3, taille: 50).offset == 100)
        #expect(ServiceKit.Pagination(page: Int.min, taille: 50).offset == 0)
    }
}
