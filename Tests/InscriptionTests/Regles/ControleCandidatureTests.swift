import Contracts
import Domain
import Foundation
@testable import Inscription
import ServiceKit
import Testing

/// The rules of registration over candidatures kept in memory: no database, no service, each
/// refusal named by its code and field. `ReglesTests` checks the same rules through the API and
/// PostgreSQL; these check every branch in milliseconds.
@Suite("Inscription: the rules of registration, in memory")
struct ControleCandidatureTests {
    static let gestionnaire = InternalIdentity(subject: "gestionnaire", role: .gestionnaire)
    static let cfa = "0750655E"
    static let etablissement = InternalIdentity(subject: "cfa", role: .etablissement, scopes: ["uai:\(cfa)"])
    static let candidatGP = InternalIdentity(subject: "compte-1", role: .candidat)

    static func session(close: Bool = false, services: Set<ServiceEtape> = [.inscriptionEtablissement, .inscriptionGrandPublic],
                        publie: Bool = true) throws -> SessionInscription {
        let code = try SessionCode("BP-2027-06-N")
        return SessionInscription(
            code: code, academie: "A01", libelle: "Session de juin 2027", close: close, servicesOuverts: services,
            debutEpreuves: "2027-06-07", reglement: publie ? Reglements.publication(code, version: 1) : nil)
    }

    static func centre(cfa: Bool = true, secteurPublic: Bool = true, fpc: Bool = true) -> CentreInscription {
        CentreInscription(uai: Self.cfa, nom: "CFA des métiers", commune: "Paris", secteur: secteurPublic ? .public : .prive,
                          habilitationCFA: cfa, habilitationFPC: fpc, roles: [.inscription], gestionAutonome: false,
                          retire: false, salles: [])
    }

    static func candidat(nom: String = "Martin", prenoms: String = "Léa Marie", naissance: String = "2005-03-14") -> Candidat {
        Candidat(ine: nil, nomFamille: nom, nomUsage: nil, prenoms: prenoms, sexe: .feminin, dateNaissance: naissance,
                 communeNaissance: "Lyon", paysNaissance: "France", adresse: "3 rue des Lilas", codePostal: "69003", commune: "Lyon",
                 courriel: nil, telephone: nil)
    }

    static func choix(
        _ categorie: CategorieInscription = .apprenti, specialite: String = "COIFFURE", options: [String] = ["U30A"],
        facultatives: [String] = [], forme: FormePassage = .globale, benefices: [Benefice] = [], dispenses: [Dispense] = []
    ) -> Choix {
        Choix(categorie: categorie, uai: categorie == .individuel ? nil : cfa, specialite: specialite, options: options,
              facultatives: facultatives, forme: forme, benefices: benefices, dispenses: dispenses)
    }

    static func candidature(_ choix: Choix, candidat: Candidat = ControleCandidatureTests.candidat(), candidatId: UUID = UUID(), homonymeAccepte: String? = nil) -> Candidature {
        Candidature(
            id: UUID(), numero: "00000001", session: "BP-2027-06-N", etat: .brouillon, revision: 1, candidatId: candidatId, compte: nil,
            candidat: candidat, categorie: choix.categorie, uai: choix.uai, etablissement: nil, specialite: choix.specialite,
            options: choix.options, facultatives: choix.facultatives, forme: choix.forme, benefices: choix.benefices,
            dispenses: choix.dispenses, unites: nil, categorieReglementaire: nil, reglementVersion: nil, homonymeAccepte: homonymeAccepte,
            amenagements: [], amenagementDemande: false, creePar: "test", creeLe: "", modifieLe: "", valideeLe: nil, annuleeLe: nil,
            motifAnnulation: nil)
    }

    /// Validates `candidature` against the store; the result, or the refusal's codes (one per field refused).
    static func valider(
        _ candidature: Candidature, store: CandidaturesEnMemoire = .init(), session: SessionInscription? = nil,
        centre: CentreInscription? = ControleCandidatureTests.centre(), choixValide: Choix? = nil,
        par appelant: InternalIdentity = ControleCandidatureTests.etablissement
    ) async throws -> Result<ReglesInscription.Resultat, Refus> {
        let session = try session ?? Self.session()
        do {
            return .success(try await ControleCandidature(store: store).validation(
                candidature, session: session, centre: centre, choixValide: choixValide, par: appelant))
        } catch let erreur as ServiceError {
            return .failure(Refus(erreur))
        }
    }

    struct Refus: Error, Equatable {
        var codes: Set<String>
        var champs: Set<String>

        init(_ erreur: ServiceError) {
            codes = erreur.details.isEmpty ? [erreur.code] : Set(erreur.details.map(\.code))
            champs = Set(erreur.details.map(\.location))
        }
    }

    static func codes(_ resultat: Result<ReglesInscription.Resultat, Refus>) -> Set<String> {
        switch resultat {
        case .success: []
        case .failure(let refus): refus.codes
        }
    }

    // MARK: One BP per candidate and session

    @Test("one BP per candidate and session: another active candidature of the session refuses creation and validation")
    func uneSeuleSpecialite() async throws {
        let candidatId = UUID()
        let code = try SessionCode("BP-2027-06-N")
        var store = CandidaturesEnMemoire()
        store.inscrites = [.init(numero: "00000007", session: code.value, candidat: candidatId, cleIdentite: Self.candidat().cleIdentite)]
        let controle = ControleCandidature(store: store)
        do {
            _ = try await controle.creation(candidat: candidatId, Self.candidat(), session: code, accepterHomonyme: true, par: Self.gestionnaire)
            Issue.record("a second candidature in the session was accepted")
        } catch let erreur as ServiceError {
            #expect(erreur.code == "candidature.specialite_unique")
            #expect(erreur.message.contains("n° 00000007, spécialité COIFFURE"))
            #expect(erreur.details.map(\.location) == ["specialite"])
        }
        let candidature = Self.candidature(Self.choix(), candidatId: candidatId)
        #expect(Self.codes(try await Self.valider(candidature, store: store)) == ["candidature.specialite_unique"])
    }

    @Test("one BP per session: an établissement or a candidate learns the rule, never the other candidature's numéro or spécialité")
    func uneSeuleSpecialiteSansDetailPourLesAutres() async throws {
        let candidatId = UUID()
        let code = try SessionCode("BP-2027-06-N")
        var store = CandidaturesEnMemoire()
        store.inscrites = [.init(numero: "00000007", session: code.value, candidat: candidatId, cleIdentite: Self.candidat().cleIdentite)]
        for appelant in [Self.etablissement, Self.candidatGP] {
            await #expect {
                _ = try await ControleCandidature(store: store).creation(candidat: candidatId, Self.candidat(), session: code, accepterHomonyme: false, par: appelant)
            } throws: { erreur in
                guard let erreur = erreur as? ServiceError else { return false }
                let texte = ([erreur.message] + erreur.details.map(\.message)).joined(separator: " ")
                return erreur.code == "candidature.specialite_unique" && texte.contains("un seul BP")
                    && !texte.contains("00000007") && !texte.contains("COIFFURE")
            }
            do {
                _ = try await ControleCandidature(store: store).validation(
                    Self.candidature(Self.choix(), candidatId: candidatId), session: try Self.session(), centre: Self.centre(),
                    choixValide: nil, par: appelant)
                Issue.record("validation accepted")
            } catch let erreur as ServiceError {
                #expect(erreur.code == "candidature.specialite_unique")
                #expect(!erreur.message.contains("00000007") && !erreur.message.contains("COIFFURE"), "\(erreur.message)")
            }
        }
    }

    @Test("a cancelled candidature, one of another session, or the candidature itself does not count")
    func autresCandidaturesQuiNeComptentPas() async throws {
        let candidature = Self.candidature(Self.choix())
        let cle = candidature.candidat.cleIdentite
        var store = CandidaturesEnMemoire()
        store.inscrites = [
            .init(numero: "00000002", session: "BP-2027-06-N", candidat: candidature.candidatId, cleIdentite: cle, annulee: true),
            .init(numero: "00000003", session: "BP-2026-06-N", candidat: candidature.candidatId, cleIdentite: cle),
            .init(id: candidature.id, numero: candidature.numero, session: "BP-2027-06-N", candidat: candidature.candidatId, cleIdentite: cle),
        ]
        #expect(Self.codes(try await Self.valider(candidature, store: store)) == [])
        let autre = try await ControleCandidature(store: store).creation(
            candidat: UUID(), Self.candidat(nom: "Durand"), session: try SessionCode("BP-2027-06-N"), accepterHomonyme: false, par: Self.etablissement)
        #expect(autre == nil)
    }

    // MARK: Probable duplicates

    @Test("the same person without an INE (name and first first name folded, birth date) is refused as a probable duplicate")
    func doublon() async throws {
        let code = try SessionCode("BP-2027-06-N")
        var store = CandidaturesEnMemoire()
        store.inscrites = [.init(numero: "00000042", session: code.value, candidat: UUID(), cleIdentite: Self.candidat().cleIdentite)]
        let meme = Self.candidat(nom: "MARTÍN", prenoms: "lea")
        #expect(meme.cleIdentite == Self.candidat().cleIdentite)
        for appelant in [Self.etablissement, Self.candidatGP] {
            do {
                _ = try await ControleCandidature(store: store).creation(candidat: UUID(), meme, session: code, accepterHomonyme: true, par: appelant)
                Issue.record("\(appelant.role) accepted a homonym")
            } catch let erreur as ServiceError {
                // The rule, not the other person's candidature.
                #expect(erreur.code == "candidature.doublon")
                #expect(erreur.message.contains("Doublon probable"))
                #expect(!([erreur.message] + erreur.details.map(\.message)).joined().contains("00000042"), "\(erreur.message)")
            }
        }
        // The gestionnaire sees which candidature it is.
        do {
            _ = try await ControleCandidature(store: store).creation(candidat: UUID(), meme, session: code, accepterHomonyme: false, par: Self.gestionnaire)
            Issue.record("a homonym was accepted without being asked")
        } catch let erreur as ServiceError {
            #expect(erreur.message.contains("n° 00000042 porte déjà le nom MARTÍN") && erreur.message.contains("14/03/2005"))
        }
        // Another birth date, another first first name: another person.
        for autre in [Self.candidat(naissance: "2005-03-15"), Self.candidat(prenoms: "Marie Léa")] {
            #expect(try await ControleCandidature(store: store).creation(candidat: UUID(), autre, session: code, accepterHomonyme: false, par: Self.etablissement) == nil)
        }
    }

    @Test("only the gestionnaire may accept a homonym, and only when asked; validation then keeps it accepted")
    func homonymeAccepte() async throws {
        let code = try SessionCode("BP-2027-06-N")
        var store = CandidaturesEnMemoire()
        store.inscrites = [.init(numero: "00000042", session: code.value, candidat: UUID(), cleIdentite: Self.candidat().cleIdentite)]
        let controle = ControleCandidature(store: store)
        await #expect(throws: ServiceError.self) {
            try await controle.creation(candidat: UUID(), Self.candidat(), session: code, accepterHomonyme: false, par: Self.gestionnaire)
        }
        #expect(try await controle.creation(candidat: UUID(), Self.candidat(), session: code, accepterHomonyme: true, par: Self.gestionnaire) == "00000042")

        let nonAcceptee = Self.candidature(Self.choix())
        #expect(Self.codes(try await Self.valider(nonAcceptee, store: store)) == ["candidature.doublon"])
        let acceptee = Self.candidature(Self.choix(), homonymeAccepte: "00000042")
        #expect(Self.codes(try await Self.valider(acceptee, store: store)) == [])
    }

    // MARK: Session, service, spécialité

    @Test("a closed session refuses everyone; a closed service refuses all but the gestionnaire (late registration)")
    func sessionEtService() async throws {
        let candidature = Self.candidature(Self.choix())
        #expect(Self.codes(try await Self.valider(candidature, session: try Self.session(close: true), par: Self.gestionnaire)) == ["session.close"])
        let fermee = try Self.session(services: [.inscriptionGrandPublic])
        #expect(Self.codes(try await Self.valider(candidature, session: fermee)) == ["inscription.service_ferme"])
        #expect(Self.codes(try await Self.valider(candidature, session: fermee, par: Self.gestionnaire)) == [])
        // An individuel registers through the Grand Public service.
        let individuel = Self.candidature(Self.choix(.individuel))
        let sansGrandPublic = try Self.session(services: [.inscriptionEtablissement])
        #expect(Self.codes(try await Self.valider(individuel, session: sansGrandPublic, centre: nil, par: Self.candidatGP)) == ["inscription.service_ferme"])
    }

    @Test("the spécialité must be offered in a published règlement")
    func specialite() async throws {
        let boulanger = Self.candidature(Self.choix(specialite: "BOULANGER", options: []))
        #expect(Self.codes(try await Self.valider(boulanger)) == ["candidature.specialite_non_offerte"])
        let candidature = Self.candidature(Self.choix())
        #expect(Self.codes(try await Self.valider(candidature, session: try Self.session(publie: false))) == ["reglement.absent"])
    }

    @Test("exactly one option per option group, known options only, at most one facultative unit")
    func optionsEtFacultatives() async throws {
        #expect(Self.codes(try await Self.valider(Self.candidature(Self.choix(options: [])))) == ["candidature.option"])
        #expect(Self.codes(try await Self.valider(Self.candidature(Self.choix(options: ["U30A", "U30B"])))) == ["candidature.option"])
        #expect(Self.codes(try await Self.valider(Self.candidature(Self.choix(options: ["U30A", "U99"])))) == ["candidature.option_inconnue"])
        #expect(Self.codes(try await Self.valider(Self.candidature(Self.choix(facultatives: ["UF1", "UF2"])))) == ["candidature.facultatives"])
        #expect(Self.codes(try await Self.valider(Self.candidature(Self.choix(facultatives: ["UF9"])))) == ["candidature.facultative_inconnue"])
        guard case .success(let resultat) = try await Self.valider(Self.candidature(Self.choix(options: ["U30B"], facultatives: ["UF2"]))) else {
            Issue.record("a valid choice was refused")
            return
        }
        #expect(resultat.unites.map(\.code) == ["U10", "U20", "U30B", "U40", "U50", "U60", "UF2"])
        #expect(resultat.unites.filter(\.facultative).map(\.code) == ["UF2"])
    }

    // MARK: Form

    @Test("apprentices take the forme globale; the form is final once validated")
    func forme() async throws {
        #expect(Self.codes(try await Self.valider(Self.candidature(Self.choix(forme: .progressive)))) == ["candidature.forme_apprenti"])
        #expect(Self.codes(try await Self.valider(Self.candidature(Self.choix(.fpc, forme: .progressive)))) == [])
        let change = Self.candidature(Self.choix(.fpc, forme: .progressive))
        #expect(Self.codes(try await Self.valider(change, choixValide: Self.choix(.fpc, forme: .globale))) == ["candidature.forme_definitive"])
    }

    // MARK: Bénéfices and dispenses

    @Test("a bénéfice keeps a grade ≥ 10 obtained within 5 years of the session's first day, on a unit of the spécialité, once")
    func benefices() async throws {
        func benefice(_ unite: String = "U20", note: Int = 1250, le date: String = "2024-07-05") -> Benefice {
            Benefice(unite: unite, note: note, session: "BP-2024-06-N", dateObtention: date)
        }
        guard case .success(let resultat) = try await Self.valider(Self.candidature(Self.choix(benefices: [benefice()]))) else {
            Issue.record("a valid bénéfice was refused")
            return
        }
        let u20 = resultat.unites.first { $0.code == "U20" }
        #expect(u20?.situation == .benefice && u20?.mode == nil && u20?.noteConservee == 1250)

        let cas: [(Benefice, String)] = [
            (benefice(note: 999), "benefice.note_insuffisante"),
            (benefice(le: "2022-06-06"), "benefice.perime"),        // the day before the 5 years from 2027-06-07
            (benefice(le: "2027-06-08"), "benefice.perime"),        // after the session's first day
            (benefice("UF1"), "benefice.unite"),                    // a facultative unit is not kept
            (benefice("U99"), "benefice.unite"),
        ]
        for (b, code) in cas {
            #expect(Self.codes(try await Self.valider(Self.candidature(Self.choix(benefices: [b])))) == [code], "\(b)")
        }
        #expect(Self.codes(try await Self.valider(Self.candidature(Self.choix(benefices: [benefice(note: 1000, le: "2022-06-07")])))) == [])
        #expect(Self.codes(try await Self.valider(Self.candidature(Self.choix(benefices: [benefice(), benefice()])))) == ["benefice.double"])
    }

    @Test("a dispense needs a DISPENSE piece received, not refused; a unit is declared once")
    func dispenses() async throws {
        let dispense = Dispense(unite: "U50", motif: .diplome, precision: "Baccalauréat général")
        let candidature = Self.candidature(Self.choix(dispenses: [dispense]))
        #expect(Self.codes(try await Self.valider(candidature)) == ["dispense.piece_manquante"])

        var refusee = CandidaturesEnMemoire()
        refusee.pieces = [.init(candidature: candidature.id, type: TypePiece.dispense, refusee: true)]
        #expect(Self.codes(try await Self.valider(candidature, store: refusee)) == ["dispense.piece_manquante"])

        var recue = CandidaturesEnMemoire()
        recue.pieces = [.init(candidature: candidature.id, type: TypePiece.dispense)]
        guard case .success(let resultat) = try await Self.valider(candidature, store: recue) else {
            Issue.record("a dispense with its piece was refused")
            return
        }
        #expect(resultat.unites.first { $0.code == "U50" }?.situation == .dispense)

        let deux = Self.candidature(Self.choix(
            benefices: [Benefice(unite: "U50", note: 1200, session: nil, dateObtention: "2025-07-01")], dispenses: [dispense]))
        recue.pieces = [.init(candidature: deux.id, type: TypePiece.dispense)]
        #expect(Self.codes(try await Self.valider(deux, store: recue)) == ["dispense.double"])
    }

    // MARK: Établissement and units

    @Test("the règlement category and the units' modes follow the établissement's habilitations")
    func categorieEtModes() async throws {
        func modes(_ choix: Choix, _ centre: CentreInscription?) async throws -> (CategorieCandidat?, [String: ModeEvaluation]) {
            guard case .success(let r) = try await Self.valider(Self.candidature(choix), centre: centre) else { return (nil, [:]) }
            return (r.categorieReglementaire, Dictionary(r.unites.compactMap { u in u.mode.map { (u.code, $0) } }, uniquingKeysWith: { a, _ in a }))
        }
        let (habilite, modesHabilite) = try await modes(Self.choix(), Self.centre())
        #expect(habilite == .apprentiCFAHabilite)
        #expect(modesHabilite["U40"] == .ccf && modesHabilite["U10"] == .ponctuel)
        let (nonHabilite, modesNonHabilite) = try await modes(Self.choix(), Self.centre(cfa: false))
        #expect(nonHabilite == .apprentiCFANonHabilite && modesNonHabilite["U40"] == .ponctuel)
        #expect(try await modes(Self.choix(.fpc), Self.centre()).0 == .fpcPublicHabilite)
        #expect(try await modes(Self.choix(.fpc), Self.centre(secteurPublic: false)).0 == .fpcPrive)
        #expect(try await modes(Self.choix(.individuel), nil).0 == .individuel)

        #expect(Self.codes(try await Self.valider(Self.candidature(Self.choix()), centre: nil)) == ["candidature.etablissement_inconnu"])
        var retire = Self.centre()
        retire.retire = true
        #expect(Self.codes(try await Self.valider(Self.candidature(Self.choix()), centre: retire)) == ["candidature.etablissement_inconnu"])
    }

    @Test("who registers whom: an établissement only its own students, never an individuel; a candidate only himself as individuel")
    func quiInscritQui() throws {
        #expect(throws: Never.self) { try Inscriptions.autoriserCreation(Self.choix(), par: Self.etablissement) }
        #expect(throws: ServiceError.self) { try Inscriptions.autoriserCreation(Self.choix(.individuel), par: Self.etablissement) }
        let autreEtablissement = InternalIdentity(subject: "autre", role: .etablissement, scopes: ["uai:0690001A"])
        #expect(throws: ServiceError.self) { try Inscriptions.autoriserCreation(Self.choix(), par: autreEtablissement) }
        #expect(throws: Never.self) { try Inscriptions.autoriserCreation(Self.choix(.individuel), par: Self.candidatGP) }
        #expect(throws: ServiceError.self) { try Inscriptions.autoriserCreation(Self.choix(), par: Self.candidatGP) }
        #expect(throws: Never.self) { try Inscriptions.autoriserCreation(Self.choix(.individuel), par: Self.gestionnaire) }
    }
}
