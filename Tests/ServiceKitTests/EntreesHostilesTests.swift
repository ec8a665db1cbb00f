import Foundation
import ServiceKit
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Issue 12 point 2, on a real process: the requests that used to trap a service (a page number
/// whose offset overflows) are refused with a 422, and the same process keeps answering.
@Suite struct EntreesHostilesTests {
    @Test(.timeLimit(.minutes(3)))
    func hugePagesLeaveTheProcessRunning() async throws {
        try await ReglementationProcessTests.withService { http, service, secret in
            let jeton = try await InternalTokenAuthority(secret: secret, audience: "reglementation").sign(InternalIdentity(subject: "gest-test", role: .gestionnaire))
            for liste in ["v1/sessions", "v1/pilote/specialites", "v1/etablissements", "v1/ressources"] {
                for requete in ["page=9223372036854775807", "page=9223372036854775807&taille=200", "page=-9223372036854775808",
                                "taille=9223372036854775807", "page=1e9", "page=%00"] {
                    let url = try #require(URL(string: "\(http.baseURL.absoluteString)/\(liste)?\(requete)"))
                    var request = URLRequest(url: url)
                    request.setValue("Bearer \(jeton)", forHTTPHeaderField: "Authorization")
                    request.timeoutInterval = 30
                    let (corps, reponse) = try await URLSession.shared.data(for: request)
                    let statut = (reponse as? HTTPURLResponse)?.statusCode
                    #expect(statut == 422, "\(liste)?\(requete): \(String(describing: statut)) \(String(decoding: corps, as: UTF8.self).prefix(300))")
                    #expect(service.isRunning, "\(liste)?\(requete) stopped the process:\n\(service.errors.suffix(2_000))")
                }
            }
            let sante = try await http.request("GET", "health")
            #expect(sante.status == 200 || sante.status == 503, "the same process still answers /health")
            #expect(service.isRunning)
        }
    }
}
