import Contracts
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Messaging
import PostgresNIO
import Reglementation
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("National pilot import")
struct PiloteImportTests {
    /// The pilot tables' row counts of a schema.
    static func comptes(_ database: Database) async throws -> [Int] {
        var result: [Int] = []
        for table in ["specialites", "reglements", "epreuves", "unites", "dates_nationales"] {
            result.append(try await database.count(table))
        }
        return result
    }

    @Test("on a fresh schema: the shipped pilot imports, again is a no-op, the broken file changes nothing and says why, line by line")
    func importLivreEtFichierCasse() async throws {
        try await TestStack.withScratchSchema("pilote") { database in
            try await MigrationRunner(database: database).apply(ServiceRuntime.allMigrations(ReglementationService.self))
            let importation = PiloteImport(database: database)

            let premier = try await importation.importer(try Pilotes.octets(Pilotes.livre), par: "test")
            #expect(premier.erreurs == [])
            #expect(premier.specialites.map(\.specialite) == ["BOULANGER", "COIFFURE", "ARTS_CUISINE"])
            #expect(premier.specialites.allSatisfy { $0.statut == .importee && $0.version == 1 })
            let apresImport = try await Self.comptes(database)
            #expect(apresImport[0] == 3 && apresImport[1] == 3)
            #expect(apresImport[3] == 8 + 8 + 6, "units: Boulanger 8, Coiffure 8, Arts de la cuisine 6")

            let second = try await importation.importer(try Pilotes.octets(Pilotes.livre), par: "test")
            #expect(second.erreurs == [])
            #expect(second.specialites.allSatisfy { $0.statut == .inchangee })
            #expect(try await Self.comptes(database) == apresImport, "re-importing the same file changes nothing")

            let casse = try await importation.importer(try Pilotes.octets(Pilotes.casse), par: "test")
            #expect(casse.specialites == [])
            let attendues = Pilotes.erreursDuFichierCasse
            #expect(casse.erreurs.count == attendues.count)
            for (index, (trouvee, attendue)) in zip(casse.erreurs, attendues).enumerated() {
                #expect(trouvee.location == attendue.0, "error \(index): \(trouvee)")
                #expect(trouvee.code == attendue.1, "error \(index): \(trouvee)")
            }
            #expect(casse.erreurs.allSatisfy { !$0.message.isEmpty })
            #expect(casse.erreurs.first { $0.code == "pilote.unite_multiple" }?.message
                == "L'unité U1 figure déjà à specialites[CASSE].epreuves[E1].unites[U1] (ligne 12) : une unité appartient à une seule épreuve.")
            #expect(casse.erreurs.first { $0.code == "pilote.epreuves_obligatoires" }?.message
                == "Une spécialité compte de 1 à 6 épreuves obligatoires (ici 9).")
            #expect(casse.erreurs.first { $0.code == "pilote.coefficient_somme" }?.message
                == "Le coefficient de l'épreuve (9) diffère de celui de ses unités (5).")
            #expect(try await Self.comptes(database) == apresImport, "a refused file changes nothing")
        }
    }

    @Test("the service carries the shipped pilot as a resource, identical to the repository's file")
    func piloteEmbarque() throws {
        #expect(try Data(contentsOf: PiloteImport.piloteLivre) == Data(contentsOf: Pilotes.livre))
        let lu = PiloteLecture.lire(try String(contentsOf: PiloteImport.piloteLivre, encoding: .utf8))
        #expect(lu.erreurs == [])
        #expect(lu.pilote?.reglements.map(\.specialite) == ["BOULANGER", "COIFFURE", "ARTS_CUISINE"])
    }

    @Test("syntax and encoding errors give a line, and nothing else is read")
    func erreursDeLecture() async throws {
        let syntaxe = PiloteLecture.lire("specialites:\n  - code: A\n    libelle: [non fermé\n")
        #expect(syntaxe.pilote == nil)
        #expect(syntaxe.erreurs.map(\.code) == ["pilote.yaml"])
        #expect(syntaxe.erreurs.first?.location.hasPrefix("document (ligne ") == true)
        #expect(PiloteLecture.lire("").erreurs.map(\.code) == ["pilote.vide"])
        let liste = PiloteLecture.lire("- a\n- b\n")
        #expect(liste.erreurs.map(\.location) == ["document (ligne 1)"])
        #expect(liste.erreurs.map(\.code) == ["pilote.structure"])
    }

    @Test("the shipped règlements are read back as written: coefficients, sub-épreuves, options, modes, dates")
    func contenuDuPiloteLivre() async throws {
        try await Banc.avecService { banc in
            let reponse = try await banc.appel(.post, "/v1/pilote/imports", corps: ByteBuffer(bytes: try Pilotes.octets(Pilotes.livre)))
            #expect(reponse.status == .ok, "\(reponse.texte)")
            #expect(try reponse.json(RapportImport.self).specialites.map(\.specialite) == ["BOULANGER", "COIFFURE", "ARTS_CUISINE"])

            let boulanger = try await banc.appel(.get, "/v1/pilote/specialites/BOULANGER/reglements/1", .service).json(Reglement.self)
            #expect(boulanger.epreuves.filter { !$0.facultative }.map(\.code) == ["E1", "E2", "E3", "E4", "E5", "E6"])
            #expect(boulanger.epreuves.map(\.coefficient) == [12, 3, 3, 6, 3, 1, nil])
            let e1 = try #require(boulanger.epreuves.first?.unites.first)
            #expect(e1.formes == [.ecrite, .pratique] && e1.dureeMinutes == 720)
            let e4 = try #require(boulanger.epreuves.first { $0.code == "E4" })
            #expect(e4.unites.map(\.code) == ["U41", "U42"])
            #expect(e4.unites.map(\.sousEpreuve) == ["E41", "E42"])
            #expect(e4.unites[0].dureeMinutes == 150)
            #expect(e4.unites[0].modes[.apprentiCFAHabilite] == .ccf && e4.unites[0].modes[.individuel] == .ponctuel)
            #expect(e4.unites[0].pas == .quart && e4.unites[0].pasCCF == .demi)
            let u60 = try #require(boulanger.epreuves.first { $0.code == "E6" }?.unites.first)
            #expect(u60.dureeMinutes == 10 && u60.preparationMinutes == 20)
            let u20 = try #require(boulanger.epreuves.first { $0.code == "E2" }?.unites.first)
            #expect(u20.dates.map(\.session.value) == ["BP-2027-06-N", "BP-2027-09-R"])
            #expect(u20.dates.first?.debut == "2027-06-08T14:00" && u20.dates.first?.sujet == "27BP-BOUL-U20-N")
            let facultative = try #require(boulanger.epreuves.last)
            #expect(facultative.facultative && facultative.unites.map(\.coefficient) == [nil])

            let coiffure = try await banc.appel(.get, "/v1/pilote/specialites/COIFFURE/reglements/derniere", .admin).json(Reglement.self)
            let option = try #require(coiffure.epreuves.first { $0.code == "E3" })
            #expect(option.auChoix && option.coefficient == 3 && option.unites.map(\.code) == ["U30A", "U30B"])
            #expect(coiffure.epreuves.filter { !$0.facultative }.count == 6 && coiffure.epreuves.filter(\.facultative).count == 1)
            let cuisine = try await banc.appel(.get, "/v1/pilote/specialites/ARTS_CUISINE/reglements/1", .gestionnaire).json(Reglement.self)
            #expect(cuisine.epreuves.map(\.coefficient) == [4, 12, 5, 3, 3, nil])

            let liste = try await banc.appel(.get, "/v1/pilote/specialites?q=coif", .gestionnaire)
            #expect(liste.texte.contains("\"code\":\"COIFFURE\""))
            #expect(try await banc.appel(.get, "/v1/pilote/specialites/INCONNUE", .gestionnaire).probleme.code == "specialite.inconnue")
            #expect(try await banc.appel(.get, "/v1/pilote/specialites/BOULANGER/reglements/99", .gestionnaire).probleme.code == "reglement.inconnu")
        }
    }

    @Test("versions: the same content is a no-op, a new version is added, a changed or older version is refused and nothing is imported")
    func versions() async throws {
        try await Banc.avecService { banc in
            func importer(_ texte: String) async throws -> Banc.Reponse {
                try await banc.appel(.post, "/v1/pilote/imports", corps: ByteBuffer(string: texte))
            }
            let code = Pilotes.codeAleatoire()
            let autre = Pilotes.codeAleatoire()
            let v1 = try await importer(Pilotes.simple(code, version: 1))
            #expect(try v1.json(RapportImport.self).specialites.map(\.statut) == [.importee])
            #expect(try await importer(Pilotes.simple(code, version: 1)).json(RapportImport.self).specialites.map(\.statut) == [.inchangee])

            let modifiee = try await importer(Pilotes.simple(code, autre, version: 1, variante: 1))
            #expect(modifiee.status == .unprocessableContent)
            let probleme = try modifiee.probleme
            #expect(probleme.code == "pilote.invalide")
            #expect(probleme.details?.map(\.code) == ["pilote.version_modifiee"])
            #expect(probleme.details?.map(\.location) == ["specialites[\(code)].version (ligne 4)"])
            #expect(try await banc.appel(.get, "/v1/pilote/specialites/\(autre)", .gestionnaire).status == .notFound,
                    "the valid spécialité of a refused file is not imported either")

            let v2 = try await importer(Pilotes.simple(code, autre, version: 2, variante: 1))
            #expect(try v2.json(RapportImport.self).specialites.map(\.statut) == [.importee, .importee])
            let versions = try await banc.appel(.get, "/v1/pilote/specialites/\(code)", .gestionnaire).json(SpecialitePilote.self)
            #expect(versions.versions?.map(\.version) == [1, 2])
            #expect(versions.derniereVersion == 2)
            let relu = try await banc.appel(.get, "/v1/pilote/specialites/\(code)/reglements/1", .gestionnaire).json(Reglement.self)
            #expect(relu.epreuves.first?.coefficient == 4, "version 1 kept its content")

            let anterieure = try await importer(Pilotes.simple(autre, version: 1, variante: 5))
            #expect(try anterieure.probleme.details?.map(\.code) == ["pilote.version_anterieure"])
        }
    }

    @Test("the import route: gestionnaire only, errors as details with location, code and message")
    func routeImport() async throws {
        try await Banc.avecService { banc in
            for role in Role.allCases where role != .gestionnaire {
                #expect(try await banc.appel(.post, "/v1/pilote/imports", role, corps: ByteBuffer(string: "x")).status == .forbidden)
            }
            let casse = try await banc.appel(.post, "/v1/pilote/imports", corps: ByteBuffer(bytes: try Pilotes.octets(Pilotes.casse)))
            #expect(casse.status == .unprocessableContent)
            let probleme = try casse.probleme
            #expect(probleme.message == "Le fichier du pilote national comporte \(Pilotes.erreursDuFichierCasse.count) erreur(s) : rien n'a été importé.")
            #expect(probleme.details?.map(\.location) == Pilotes.erreursDuFichierCasse.map(\.0))
            #expect(probleme.details?.map(\.code) == Pilotes.erreursDuFichierCasse.map(\.1))
            let latin1 = try await banc.appel(.post, "/v1/pilote/imports", corps: ByteBuffer(bytes: [0x63, 0x6F, 0x64, 0x65, 0xE9]))
            #expect(try latin1.probleme.details?.map(\.code) == ["pilote.encodage"])
        }
    }
}
