import Foundation
import Testing

@Suite("Pas de virgule flottante dans le moteur")
struct SansVirguleFlottanteTests {
    @Test("the engine's sources never name a floating-point type nor import Foundation")
    func sources() throws {
        let racine = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dossier = racine.appendingPathComponent("Services/Deliberation/Sources/Moteur")
        let fichiers = try FileManager.default.contentsOfDirectory(atPath: dossier.path).filter { $0.hasSuffix(".swift") }
        #expect(fichiers.count >= 8)
        let interdits = ["Double", "Float", "CGFloat", "Decimal", "NSNumber", "import Foundation", ".rounded("]
        for fichier in fichiers {
            let texte = try String(contentsOf: dossier.appendingPathComponent(fichier), encoding: .utf8)
            for interdit in interdits {
                #expect(!texte.contains(interdit), "\(fichier) contient \(interdit)")
            }
            #expect(!texte.contains("try!") && !texte.contains("as!"), "\(fichier)")
        }
    }
}
