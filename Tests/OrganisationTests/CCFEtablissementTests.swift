import Contracts
import Domain
import Foundation
@testable import Organisation
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport

/// Issue 12, point 13 (part): in gestion autonome the établissement itself puts its CCF épreuves
/// into its commissions; nobody else's.
@Suite("Organisation: an établissement in gestion autonome places its own CCF épreuves")
struct CCFEtablissementTests {
    @Test("POST /ccf as an établissement: its own UAI in gestion autonome only; others, other commissions and non-autonomous refused")
    func ccfParEtablissement() async throws {
        try await Banc.avecService { banc in
            let autonome = try await banc.centre("CFA autonome", salles: [Salle(nom: "A", places: 30)], roles: [.inscription, .epreuve], gestionAutonome: true)
            let centre = try await banc.centre("Centre CCF", salles: [Salle(nom: "A", places: 30)])
            let autre = UAIs.valide()
            let b = try banc.candidature(nom: "Pasauto", etablissement: autre, autonome: false, categorie: .apprentiCFAHabilite, ccf: true)
            try await banc.nourrir([b])
            let url = "/v1/sessions/\(banc.session)/ccf"

            // Its own CCF, in its own commission: accepted.
            let propre = try await banc.etab(.post, url, autonome, json: #"{"centre":"\#(autonome)"}"#)
            #expect(propre.status == .ok, "\(propre.texte)")
            // Another établissement's candidates, or by their id: refused or untouched.
            #expect(try await banc.etab(.post, url, autonome, json: #"{"centre":"\#(autonome)","etablissement":"\#(autre)"}"#).status == .forbidden)
            let parId = try await banc.etab(.post, url, autonome, json: #"{"centre":"\#(autonome)","candidatures":["\#(b.id.uuidString)"]}"#)
            #expect(parId.status == .ok, "\(parId.texte)")
            #expect(try await banc.places(mode: "ccf").first { $0.candidature == b.id }?.centre == nil)
            // A commission that is not its own, and an établissement not in gestion autonome: refused.
            #expect(try await banc.etab(.post, url, autonome, json: #"{"centre":"\#(centre)"}"#).status == .forbidden)
            let refus = try await banc.etab(.post, url, autre, json: #"{"centre":"\#(autre)"}"#)
            #expect(refus.status == .forbidden && refus.texte.contains("gestion autonome"), "\(refus.texte)")
            #expect(try await banc.places(mode: "ccf").first { $0.candidature == b.id }?.centre == nil)
        }
    }
}
