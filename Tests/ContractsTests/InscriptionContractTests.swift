import Contracts
import Domain
import Foundation
import Testing

/// Inscription's contracts against their golden JSON (see `GoldenContractTests`).
@Suite("Inscription contracts match their golden JSON")
struct InscriptionContractTests {
    static let session = try! SessionCode("BP-2027-06-N")
    static let candidature = UUID(uuidString: "3c9a1f2e-7b4d-4e6a-8c1b-5d2e9f0a7b36")!

    /// An apprentice of a habilitated CFA, forme globale, with a bénéfice kept from 2025 and a
    /// third of extra time; he agreed to the publication of his name (v2).
    @Test func candidatureValidee() throws {
        try GoldenContractTests.check(CandidatureValidee(CandidatureEtat(
            id: Self.candidature, numero: "00012345", session: Self.session,
            candidat: IdentiteCandidat(
                nomFamille: "MARTIN", nomUsage: nil, prenoms: "Lucas Pierre", sexe: .masculin, dateNaissance: "2005-03-14",
                communeNaissance: "Créteil", ine: try INE("123456789AB")),
            categorie: .apprenti, categorieReglementaire: .apprentiCFAHabilite,
            etablissement: EtablissementInscription(uai: try UAI("0941234F"), nom: "CFA de la boulangerie de Créteil", gestionAutonome: true),
            specialite: "BOULANGER", reglementVersion: 2, forme: .globale,
            unites: [
                UniteInscrite(code: "U10", epreuve: "E1", libelle: "Fabrication d'une commande", coefficient: 12, facultative: false,
                              situation: .presentee, mode: .ccf),
                UniteInscrite(code: "U20", epreuve: "E2", libelle: "Technologie professionnelle", coefficient: 3, facultative: false,
                              situation: .presentee, mode: .ponctuel),
                UniteInscrite(code: "U30", epreuve: "E3", libelle: "Sciences appliquées", coefficient: 3, facultative: false,
                              situation: .benefice, mode: nil, noteConservee: 1400, sessionOrigine: "BP-2025-06-N", obtenueLe: "2025-07-04"),
                UniteInscrite(code: "UF1", epreuve: "EF", libelle: "Langue vivante", coefficient: nil, facultative: true,
                              situation: .presentee, mode: .ponctuel),
            ],
            amenagements: [MesureAmenagement(type: .tempsMajore, majorationPourcent: 33)],
            consentementPublication: true, revision: 1)))
    }

    /// A Grand Public candidate (no établissement, no INE, a nom d'usage), forme progressive: a
    /// grade below 10 carried, a unit left for a later session, one dispensed; no consent.
    @Test func candidatureModifiee() throws {
        try GoldenContractTests.check(CandidatureModifiee(CandidatureEtat(
            id: UUID(uuidString: "8b2d4f6a-1c3e-4a5b-9d7f-0e1f2a3b4c5d")!, numero: "00012346", session: Self.session,
            candidat: IdentiteCandidat(
                nomFamille: "LEFÈVRE", nomUsage: "DURAND", prenoms: "Camille Anne", sexe: .feminin, dateNaissance: "1988-11-02",
                communeNaissance: "Lyon 3e Arrondissement", ine: nil),
            categorie: .individuel, categorieReglementaire: .individuel, etablissement: nil,
            specialite: "BOULANGER", reglementVersion: 2, forme: .progressive,
            unites: [
                UniteInscrite(code: "U10", epreuve: "E1", libelle: "Fabrication d'une commande", coefficient: 12, facultative: false,
                              situation: .presentee, mode: .ponctuel),
                UniteInscrite(code: "U20", epreuve: "E2", libelle: "Technologie professionnelle", coefficient: 3, facultative: false,
                              situation: .reportee, mode: nil, noteConservee: 850, sessionOrigine: "BP-2026-06-N", obtenueLe: "2026-07-03"),
                UniteInscrite(code: "U30", epreuve: "E3", libelle: "Sciences appliquées", coefficient: 3, facultative: false,
                              situation: .ulterieure, mode: nil),
                UniteInscrite(code: "U50", epreuve: "E5", libelle: "Expression française et ouverture sur le monde", coefficient: 3,
                              facultative: false, situation: .dispense, mode: nil),
            ],
            amenagements: [], consentementPublication: false, revision: 3)))
    }

    @Test func candidatureAnnulee() throws {
        try GoldenContractTests.check(CandidatureAnnulee(
            id: Self.candidature, numero: "00012345", session: Self.session,
            motif: "Désistement du candidat (courrier du 2 mai 2027)", annuleePar: "gestionnaire-dec-1", revision: 4))
    }

    @Test func amenagementDecide() throws {
        try GoldenContractTests.check(AmenagementDecide(
            demande: UUID(uuidString: "c4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70")!, candidature: Self.candidature, numero: "00012345",
            session: Self.session, etablissement: try UAI("0941234F"), decision: .accordePartiellement,
            mesures: [
                MesureAmenagement(type: .tempsMajore, majorationPourcent: 33, precision: "Épreuves écrites seulement"),
                MesureAmenagement(type: .salleSeparee),
            ],
            motivation: "Avis du médecin désigné par la CDAPH du 15 mars 2027 ; l'assistance d'un secrétaire n'est pas justifiée.",
            decidePar: "gestionnaire-dec-1"))
    }
}
