import Contracts
import Foundation
@testable import Inscription
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport

/// Who may change a candidate's identity, and what a refusal tells: a candidat row is shared by
/// all of a person's candidatures (same INE), so a caller that does not follow him may neither
/// rewrite it nor read it; the refusals of the rules name the rule to anyone but the
/// gestionnaire; a papillon account reaches candidatures of its own établissement only.
@Suite("Inscription: identity ownership, refusals that tell nothing, papillon scope")
struct ConfidentialiteTests {
    static func identite(ine: String?, nom: String = "Garnier", adresse: String = "12 impasse des Secrets") -> String {
        let ineJSON = ine.map { #""\#($0)""# } ?? "null"
        return #"{"ine":\#(ineJSON),"nomFamille":"\#(nom)","prenoms":"Inès","sexe":"F","dateNaissance":"2004-05-06","communeNaissance":"Lille","paysNaissance":"France","adresse":"\#(adresse)","codePostal":"59000","commune":"Lille","courriel":"ines.garnier@exemple.fr","telephone":"0611223344"}"#
    }

    /// An import line with the same identity as `identite(ine:nom:adresse:)`.
    static func ligne(ine: String, nom: String = "Garnier", adresse: String = "12 impasse des Secrets") -> String {
        [ine, nom, "", "Inès", "F", "2004-05-06", "Lille", "France", adresse, "59000", "Lille", "ines.garnier@exemple.fr", "0611223344",
         "fpc", "COIFFURE", "U30A", "", "globale"].joined(separator: ";")
    }

    /// The stored identity of a candidature, read as the gestionnaire.
    static func stockee(_ banc: Banc, _ id: UUID) async throws -> Candidat {
        try await banc.appel(.get, "/v1/candidatures/\(id.uuidString)").json(Candidature.self).candidat
    }

    @Test("a papillon account reaches the candidatures of its own établissement only; the gateway's check answers for one établissement")
    func papillon() async throws {
        try await Banc.avecService { banc in
            let aCfa = try await banc.creer(Saisies.candidature(uai: banc.cfa, identite: Self.identite(ine: INEs.nouveau())))
            let aPrive = try await banc.creer(Saisies.candidature(categorie: "fpc", uai: banc.prive, identite: Self.identite(ine: INEs.nouveau(), nom: "Petit")))
            // A papillon printed for the CFA that names the private établissement's numéro.
            let detourne: Set<String> = ["candidat:\(aPrive.numero)", "uai:\(banc.cfa)"]
            let lecture = try await banc.appel(.get, "/v1/candidatures/\(aPrive.id.uuidString)", .candidat, scopes: detourne, sujet: "papillon-1")
            #expect(lecture.status == .forbidden)
            let liste = try await banc.appel(.get, "/v1/sessions/\(banc.session)/candidatures", .candidat, scopes: detourne, sujet: "papillon-1")
            #expect(try liste.json(PageCandidatures.self).items.isEmpty, "\(liste.texte)")
            let dossier = try await banc.appel(.get, "/v1/candidats/\(aPrive.numero)/candidature", .candidat, scopes: detourne, sujet: "papillon-1")
            #expect(dossier.status == .ok && !dossier.texte.contains(aPrive.numero), "\(dossier.texte)")
            // The legitimate papillon reads its own.
            let sien: Set<String> = ["candidat:\(aCfa.numero)", "uai:\(banc.cfa)"]
            #expect(try await banc.appel(.get, "/v1/candidatures/\(aCfa.id.uuidString)", .candidat, scopes: sien, sujet: "papillon-2").status == .ok)

            // The check the gateway makes before printing.
            let verification = "/v1/etablissements/\(banc.cfa)/papillons/verification"
            let corps = #"{"numeros":["\#(aCfa.numero)","\#(aPrive.numero)","99999999"]}"#
            let reponse = try await banc.etab(.post, verification, banc.cfa, json: corps)
            #expect(reponse.status == .ok, "\(reponse.texte)")
            #expect(reponse.texte.contains(aCfa.numero) && !reponse.texte.contains(aPrive.numero), "\(reponse.texte)")
            #expect(try await banc.etab(.post, verification, banc.prive, json: corps).status == .forbidden)
            #expect(try await banc.appel(.post, verification, .candidat, scopes: sien, json: corps).status == .forbidden)
            // A cancelled candidature gets no papillon.
            #expect(try await banc.appel(.post, "/v1/candidatures/\(aCfa.id.uuidString)/annulation", json: #"{"motif":"abandon"}"#).status == .ok)
            #expect(!(try await banc.etab(.post, verification, banc.cfa, json: corps).texte.contains(aCfa.numero)))
        }
    }
}
