import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Reglementation
import ServiceKit
import Testing
import TestSupport

@Suite("Administration: planned treatments and academic resources")
struct AdministrationTests {
    @Test("a planned treatment is reserved once when due, its run and result are visible to the gestionnaire")
    func traitements() async throws {
        try await Banc.avecService { banc in
            let code = try await banc.nouvelleSession()
            let passe = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-90))
            let futur = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
            let periodique = try await banc.appel(.post, "/v1/traitements", json: #"{"code":"rappel.fermeture","libelle":"Rappel de fermeture","session":"\#(code)","prochaineExecution":"\#(passe)","periodiciteMinutes":60}"#)
            #expect(periodique.status == .created, "\(periodique.texte)")
            let traitement = try periodique.json(Traitement.self)
            #expect(traitement.code == "RAPPEL.FERMETURE" && traitement.actif && traitement.session?.value == code)
            let plusTard = try await banc.appel(.post, "/v1/traitements", json: #"{"code":"stats","libelle":"Statistiques","session":"\#(code)","prochaineExecution":"\#(futur)"}"#)
            #expect(plusTard.status == .created)

            // Reserve until ours comes (other tests' due treatments may come first); then it is not due any more.
            var execution: Execution?
            for _ in 0..<20 where execution == nil {
                let lot = try await banc.appel(.post, "/v1/traitements/reservations", .service, json: #"{"executant":"worker-test","limite":100}"#)
                #expect(lot.status == .ok, "\(lot.texte)")
                let executions = try lot.json(ListeExecutions.self).items
                execution = executions.first { $0.traitement == traitement.id }
                for autre in executions where autre.traitement != traitement.id {
                    _ = try await banc.appel(.post, "/v1/executions/\(autre.id.uuidString)/fin", .service, json: #"{"statut":"reussie"}"#)
                }
                if executions.isEmpty { break }
            }
            let reservee = try #require(execution)
            #expect(reservee.statut == .enCours && reservee.executant == "worker-test")
            let relu = try await banc.appel(.get, "/v1/traitements/\(traitement.id.uuidString)", .gestionnaire).json(Traitement.self)
            let prochaine = try #require(relu.prochaineExecution)
            #expect(prochaine > Date() && prochaine < Date().addingTimeInterval(3_700), "the next period after now")

            let fin = try await banc.appel(.post, "/v1/executions/\(reservee.id.uuidString)/fin", .service, json: #"{"statut":"echouee","resultat":"SMTP indisponible"}"#)
            #expect(try fin.json(Execution.self).statut == .echouee)
            #expect(try await banc.appel(.post, "/v1/executions/\(reservee.id.uuidString)/fin", .service, json: #"{"statut":"reussie"}"#).probleme.code == "execution.terminee")
            let detail = try await banc.appel(.get, "/v1/traitements/\(traitement.id.uuidString)", .admin).json(Traitement.self)
            #expect(detail.executions?.map(\.resultat) == ["SMTP indisponible"])
            #expect(detail.executions?.first?.fin != nil)

            let liste = try await banc.appel(.get, "/v1/traitements?session=\(code)", .gestionnaire).json(PageTraitements.self)
            #expect(Set(liste.items.map(\.code)) == ["RAPPEL.FERMETURE", "STATS"])
            #expect(try await banc.appel(.post, "/v1/traitements/\(traitement.id.uuidString)/suspension").json(Traitement.self).actif == false)
            #expect(try await banc.appel(.get, "/v1/traitements?session=\(code)&actif=false", .gestionnaire).json(PageTraitements.self).total == 1)
            #expect(try await banc.appel(.post, "/v1/traitements/reservations", .gestionnaire, json: #"{"executant":"x"}"#).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/traitements/pas-un-uuid").probleme.code == "identifiant.format")
        }
    }

    @Test("academic resources: each new content is a new version, the same content is not, old versions stay readable")
    func ressources() async throws {
        try await Banc.avecService { banc in
            let academie = "A\(Int.random(in: 10...99))"
            let code = "signature.recteur.\(UInt32.random(in: 0...UInt32.max))"
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
            let png2: [UInt8] = png + [4, 5]
            func deposer(_ octets: [UInt8], type: String = "image/png") async throws -> Banc.Reponse {
                try await banc.appel(
                    .put, "/v1/ressources/\(academie)/\(code)?libelle=Signature%20du%20recteur", corps: ByteBuffer(bytes: octets),
                    headers: [.contentType: type])
            }
            let v1 = try await deposer(png)
            #expect(v1.status == .created, "\(v1.texte)")
            #expect(try v1.json(Ressource.self).version == 1 && (try v1.json(Ressource.self).libelle) == "Signature du recteur")
            #expect(try await deposer(png).status == .ok, "the same content is no new version")
            let v2 = try await deposer(png2)
            #expect(try v2.json(Ressource.self).version == 2 && (try v2.json(Ressource.self).taille) == png2.count)
            #expect(try await deposer([1, 2, 3]).probleme.code == "ressource.contenu")
            #expect(try await deposer(png, type: "application/zip").probleme.code == "ressource.type")

            let derniere = try await banc.appel(.get, "/v1/ressources/\(academie)/\(code)", .service)
            #expect(derniere.headers[.contentType] == "image/png")
            #expect(Array(buffer: derniere.corps) == png2)
            let premiere = try await banc.appel(.get, "/v1/ressources/\(academie)/\(code)?version=1", .service)
            #expect(Array(buffer: premiere.corps) == png)
            #expect(try await banc.appel(.get, "/v1/ressources/\(academie)/\(code)/versions", .admin).json(ListeRessources.self).items.map(\.version) == [2, 1])
            let liste = try await banc.appel(.get, "/v1/ressources?academie=\(academie)", .gestionnaire).json(PageRessources.self)
            #expect(liste.items.filter { $0.code == code }.map(\.version) == [2])
            #expect(try await banc.appel(.get, "/v1/ressources/\(academie)/inconnue", .service).probleme.code == "ressource.inconnue")
            #expect(try await banc.appel(.put, "/v1/ressources/\(academie)/\(code)", .service, corps: ByteBuffer(bytes: png)).status == .forbidden)
        }
    }

    @Test("a new version of a resource writes reglementation.ressource.deposee with its content (the largest, 2 MiB, too); the same content again or a refused deposit writes nothing")
    func ressourceDeposee() async throws {
        try await Banc.avecService { banc in
            let academie = "A\(Int.random(in: 10...99))"
            let code = "logo.academie.\(UInt32.random(in: 0...UInt32.max))"
            let aggregate = "ressource:\(academie):\(code)"
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<64).map { UInt8($0) }
            // The largest resource accepted (2 MiB): its message stays one outbox row, decoded whole.
            let grande: [UInt8] = Array(png.prefix(8)) + (0..<((2 << 20) - 8)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            func deposer(_ octets: [UInt8], libelle: String = "Logo%20de%20l'acad%C3%A9mie") async throws -> Banc.Reponse {
                try await banc.appel(
                    .put, "/v1/ressources/\(academie)/\(code)?libelle=\(libelle)", corps: ByteBuffer(bytes: octets),
                    sujet: "gestionnaire-dec-7", headers: [.contentType: "image/png"])
            }
            let v1 = try await deposer(png)
            #expect(v1.status == .created, "\(v1.texte)")
            let ressource = try v1.json(Ressource.self)
            var evenements = try await banc.evenements(RessourceDeposee.self, aggregate: aggregate)
            #expect(evenements.count == 1)
            let evenement = try #require(evenements.first)
            #expect(evenement.academie == academie && evenement.code == code && evenement.version == 1)
            #expect(evenement.libelle == "Logo de l'académie" && evenement.mediaType == "image/png")
            #expect(evenement.contenu == Data(png))
            #expect(evenement.empreinte == ressource.empreinte && evenement.empreinte.count == 64)
            #expect(evenement.deposeePar == "gestionnaire-dec-7")
            #expect(abs(evenement.deposeeLe.timeIntervalSince(ressource.deposeeLe)) < 1)

            // The same content again: no version, no message; a refused deposit: none either.
            #expect(try await deposer(png).status == .ok)
            #expect(try await deposer([1, 2, 3]).probleme.code == "ressource.contenu")
            #expect(try await banc.evenements(RessourceDeposee.self, aggregate: aggregate).count == 1)

            let v2 = try await deposer(grande)
            #expect(v2.status == .created, "\(v2.texte)")
            evenements = try await banc.evenements(RessourceDeposee.self, aggregate: aggregate)
            #expect(evenements.map(\.version) == [1, 2])
            #expect(evenements.last?.contenu == Data(grande))
            #expect(evenements.last?.empreinte == (try v2.json(Ressource.self)).empreinte)
        }
    }
}

struct ListeExecutions: Decodable { var items: [Execution] }
struct PageTraitements: Decodable {
    var items: [Traitement]
    var total: Int
}
struct ListeRessources: Decodable { var items: [Ressource] }
struct PageRessources: Decodable {
    var items: [Ressource]
    var total: Int
}
