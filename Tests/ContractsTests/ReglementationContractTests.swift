import Contracts
import Domain
import Foundation
import Messaging
import Testing

/// The Réglementation service's contracts against their golden JSON (see GoldenContractTests).
@Suite("Réglementation contracts match their golden JSON")
struct ReglementationContractTests {
    static let session = try! SessionCode("BP-2027-06-N")
    static let uai = try! UAI("0750655E")

    @Test func sessionOuverteDeRemplacement() throws {
        // Optional fields added to v1 are omitted when absent: the original golden still holds
        // (GoldenContractTests.sessionOuverte); when present they are plain strings.
        let payload = SessionOuverte(
            session: try SessionCode("BP-2027-09-R"), academie: "A01", libelle: "BP session de remplacement de septembre 2027",
            ouvertePar: "gestionnaire-dec-1", sessionNormale: Self.session, debutEpreuves: "2027-09-14", finEpreuves: "2027-09-17")
        let json = try JSONSerialization.jsonObject(with: MessageCoding.encoder().encode(payload)) as? [String: Any]
        #expect(json?["sessionNormale"] as? String == "BP-2027-06-N")
        #expect(json?["debutEpreuves"] as? String == "2027-09-14")
        let decoded = try MessageCoding.decoder().decode(SessionOuverte.self, from: MessageCoding.encoder().encode(payload))
        #expect(decoded == payload)
    }

    @Test func sessionClose() throws {
        try GoldenContractTests.check(SessionClose(session: Self.session, academie: "A01", closePar: "gestionnaire-dec-1"))
    }

    @Test func serviceOuvert() throws {
        try GoldenContractTests.check(ServiceOuvert(
            session: Self.session, service: .inscriptionGrandPublic, ouvertPar: "gestionnaire-dec-1",
            fermeturePrevue: "2027-02-12", reouverture: false))
    }

    @Test func serviceFerme() throws {
        try GoldenContractTests.check(ServiceFerme(session: Self.session, service: .deliberation, fermePar: "gestionnaire-dec-1"))
    }

    @Test func etapeTerminee() throws {
        try GoldenContractTests.check(EtapeTerminee(session: Self.session, academie: "A01", etape: .notation, termineePar: "gestionnaire-dec-1"))
    }

    @Test func centreDeclare() throws {
        try GoldenContractTests.check(CentreDeclare(CentreEtat(
            session: Self.session, uai: Self.uai, nom: "Lycée des métiers de l'alimentation", commune: "Paris", secteur: .public,
            habilitationCFA: true, habilitationFPC: false, roles: [.inscription, .epreuve], gestionAutonome: true,
            salles: [Salle(nom: "Atelier 1", places: 12), Salle(nom: "Salle 104", places: 30)], revision: 1)))
    }

    @Test func centreModifie() throws {
        try GoldenContractTests.check(CentreModifie(CentreEtat(
            session: Self.session, uai: Self.uai, nom: "Lycée des métiers de l'alimentation", commune: "Paris", secteur: .prive,
            habilitationCFA: false, habilitationFPC: true, roles: [.correction, .deliberation], gestionAutonome: false,
            salles: [], revision: 3)))
    }

    @Test func centreRetire() throws {
        try GoldenContractTests.check(CentreRetire(session: Self.session, uai: Self.uai, retirePar: "gestionnaire-dec-1"))
    }

    @Test func ressourceDeposee() throws {
        // The content is base64 in the JSON (JSONEncoder's default for Data, which MessageCoding keeps):
        // here the 8 bytes of a PNG signature.
        try GoldenContractTests.check(RessourceDeposee(
            academie: "A01", code: "logo.academie", version: 2, libelle: "Logo de l'académie", mediaType: "image/png",
            contenu: Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
            empreinte: "4c4b6a3be1314ab86138bef4314dde022e600960d8689a2c8f8631802d20dab6",
            deposeePar: "gestionnaire-dec-1", deposeeLe: GoldenContractTests.fixedDate))
    }

    @Test func reglementPublie() throws {
        let modes = Dictionary(uniqueKeysWithValues: CategorieCandidat.allCases.map {
            ($0, $0.peutPasserEnCCF ? ModeEvaluation.ccf : .ponctuel)
        })
        let ponctuel = Dictionary(uniqueKeysWithValues: CategorieCandidat.allCases.map { ($0, ModeEvaluation.ponctuel) })
        let reglement = Reglement(
            specialite: "COIFFURE", libelle: "Coiffure", version: 2, reference: "Règlement d'examen",
            epreuves: [
                Epreuve(code: "E3", libelle: "Option", auChoix: true, coefficient: 3, unites: [
                    Unite(code: "U30A", libelle: "Coiffure événementielle", coefficient: 3, formes: [.pratique], dureeMinutes: 90, modes: ponctuel),
                    Unite(code: "U30B", libelle: "Coupe homme et entretien pilo-facial", coefficient: 3, formes: [.pratique], dureeMinutes: 90, modes: ponctuel),
                ]),
                Epreuve(code: "E5", libelle: "Expression française", coefficient: 3, unites: [
                    Unite(
                        code: "U50", libelle: "Expression française", coefficient: 3, formes: [.ecrite], dureeMinutes: 180,
                        modes: modes,
                        dates: [DateNationale(session: Self.session, debut: "2027-06-10T08:00", sujet: "27BP-COIF-U50-N")]),
                ]),
                Epreuve(code: "EF", libelle: "Langue vivante facultative", facultative: true, coefficient: nil, unites: [
                    Unite(
                        code: "UF1", libelle: "Langue vivante", coefficient: nil, formes: [.orale], dureeMinutes: 15,
                        preparationMinutes: 15, pas: .demi, pasCCF: .demi, modes: ponctuel),
                ]),
            ])
        try GoldenContractTests.check(ReglementPublie(
            session: Self.session, academie: "A01", version: 1, publiePar: "gestionnaire-dec-1",
            specialites: [SpecialiteOfferte(reglement: reglement, optionsOffertes: ["U30A"])],
            piecesJustificatives: [
                PieceJustificative(code: "IDENTITE", libelle: "Pièce d'identité", categories: CategorieCandidat.allCases, obligatoire: true),
                PieceJustificative(code: "CONTRAT", libelle: "Contrat d'apprentissage", categories: [.apprentiCFAHabilite, .apprentiCFANonHabilite], obligatoire: true),
            ]))
    }

    @Test func stepLabelsAndOrder() {
        #expect(ServiceEtape.allCases.map(\.rawValue) == [
            "reglementation", "inscription_etablissement", "inscription_grand_public", "organisation",
            "collecte_notes", "deliberation", "publication", "extraction_etablissement",
        ])
        #expect(ServiceEtape.publication > ServiceEtape.deliberation)
        #expect(ServiceEtape.collecteNotes.libelle == "collecte des notes")
    }
}
