import Foundation
@testable import Gateway
import Testing

/// Issue 12, point 16: nothing notifies the candidate or his établissement of an aménagement
/// decision, so the gestionnaire's desk must not say they are notified.
@Suite("Pages web : le guichet des aménagements ne promet pas de notification", .serialized)
struct WebAmenagementAvisTests {
    @Test("the desk and the notice after a decision say where the decision is read, and that no mail is sent")
    func pasDeNotificationPromise() async throws {
        try await InscriptionEnAval.avec { inscription in
            try await WebBanc.avec(services: ["inscription": inscription.url], timeoutMs: WebInscriptionTests.delai) { banc in
                let (gestionnaire, _) = try await WebInscriptionTests.connecte(banc, .gestionnaire)
                for uri in ["/gestionnaire/sessions/\(inscription.session)/amenagements",
                            "/gestionnaire/sessions/\(inscription.session)/amenagements?fait=decision"] {
                    let page = try await gestionnaire.get(uri)
                    #expect(page.status == .ok, "\(page.texte.prefix(2000))")
                    let texte = page.texte.replacingOccurrences(of: "&#39;", with: "'")
                    #expect(!texte.contains("notifiée") && !texte.contains("avertis"), "\(uri) claims a notification")
                    #expect(texte.contains("aucun courriel ne leur est envoyé"), "\(uri)")
                }
                let notice = try await gestionnaire.get("/gestionnaire/sessions/\(inscription.session)/amenagements?fait=decision")
                #expect(notice.texte.contains("Aucun courriel ne leur est envoyé"))
            }
        }
    }
}
