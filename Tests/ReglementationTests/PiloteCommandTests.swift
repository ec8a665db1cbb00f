import Foundation
import PostgresNIO
import Reglementation
import ServiceKit
import Storage
import Testing
import TestSupport

/// `cyclades-reglementation import-pilote FILE`, the real binary, on a scratch schema.
@Suite struct PiloteCommandTests {
    @Test(.timeLimit(.minutes(3)))
    func laCommandeImporteLePiloteLivreEtRefuseLeFichierCasse() async throws {
        let binary = TestStack.binDirectory.appendingPathComponent("cyclades-reglementation")
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "no \(binary.path): build the products first (`swift build --build-tests`, as deploy/local/test does)")
        try await TestStack.withScratchSchema("pilote_commande") { database in
            // The admin role (a service role reaches only its own schema) on the scratch schema.
            var environment = try TestStack.environment("admin")
            environment["CYCLADES_PG_SCHEMA"] = database.schema
            environment["CYCLADES_LOG_LEVEL"] = "warning"

            let premier = try await Processus.executer(binary, ["import-pilote", Pilotes.livre.path], environment: environment)
            #expect(premier.status == 0, "\(premier.sortie)\n\(premier.erreurs)")
            #expect(premier.lignes == [
                "BOULANGER version 1 : importée",
                "COIFFURE version 1 : importée",
                "ARTS_CUISINE version 1 : importée",
                "3 version(s) importée(s), 0 inchangée(s).",
            ])
            let comptes = try await PiloteImportTests.comptes(database)
            #expect(comptes[1] == 3, "the migrations ran first, then the three règlements were stored")

            let second = try await Processus.executer(binary, ["import-pilote", Pilotes.livre.path], environment: environment)
            #expect(second.status == 0)
            #expect(second.lignes.last == "0 version(s) importée(s), 3 inchangée(s).")

            let casse = try await Processus.executer(binary, ["import-pilote", Pilotes.casse.path], environment: environment)
            #expect(casse.status == 1, "\(casse.sortie)\n\(casse.erreurs)")
            let attendues = Pilotes.erreursDuFichierCasse.map(\.0)
            #expect(casse.lignes.count == attendues.count + 1)
            for (ligne, location) in zip(casse.lignes, attendues) {
                #expect(ligne.hasPrefix("\(location): "), "\(ligne)")
                #expect(ligne.count > location.count + 10, "a message follows the location: \(ligne)")
            }
            #expect(casse.lignes.last == "\(attendues.count) erreur(s) : rien n'a été importé.")
            #expect(try await PiloteImportTests.comptes(database) == comptes, "nothing changed")

            let absent = try await Processus.executer(binary, ["import-pilote", "/nonexistent/pilote.yaml"], environment: environment)
            #expect(absent.status == 1)
            #expect(absent.lignes.first?.hasPrefix("/nonexistent/pilote.yaml: fichier illisible") == true)
        }
    }
}

/// A child process whose output goes to temporary files (never blocked on a full pipe), waited
/// for on a thread of its own.
struct Processus {
    var status: Int32
    var sortie: String
    var erreurs: String
    var lignes: [String] { sortie.split(separator: "\n").map(String.init) }

    static func executer(_ executable: URL, _ arguments: [String], environment: [String: String], timeout: Duration = .seconds(90)) async throws -> Processus {
        let dossier = FileManager.default.temporaryDirectory
        let sortie = dossier.appendingPathComponent("cyclades-regl-\(UUID().uuidString).out")
        let erreurs = dossier.appendingPathComponent("cyclades-regl-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: sortie.path, contents: nil)
        _ = FileManager.default.createFile(atPath: erreurs.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: sortie)
            try? FileManager.default.removeItem(at: erreurs)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: sortie)
        process.standardError = try FileHandle(forWritingTo: erreurs)
        try process.run()
        let fini = try await TestStack.eventually(timeout: timeout, every: .milliseconds(50)) { !process.isRunning }
        if !fini { process.terminate() }
        try #require(fini, "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) still runs after \(timeout)")
        return Processus(
            status: process.terminationStatus,
            sortie: (try? String(contentsOf: sortie, encoding: .utf8)) ?? "",
            erreurs: (try? String(contentsOf: erreurs, encoding: .utf8)) ?? "")
    }
}
