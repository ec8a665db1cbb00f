import Domain
import Foundation
import MoteurDeliberation

/// `cyclades-load deliberation [--candidats N] [--graine S]`: the pure award engine alone
/// (no stack, no I/O): N generated candidates of the three example règlements (all forms, every
/// kind of result) are built first, then deliberated one after another; prints the throughput.
enum DeliberationLoad {
    static func run(_ arguments: [String]) throws {
        var candidats = 100_000
        var graine: UInt64 = 2027
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            switch flag {
            case "--candidats":
                guard let n = rest.popFirst().flatMap(Int.init), (1...10_000_000).contains(n) else {
                    throw UsageError("--candidats needs an integer 1…10000000")
                }
                candidats = n
            case "--graine":
                guard let n = rest.popFirst().flatMap(UInt64.init) else { throw UsageError("--graine needs an integer") }
                graine = n
            default:
                throw UsageError("usage: cyclades-load deliberation [--candidats N] [--graine S]")
            }
        }
        note("deliberation: generating \(candidats) candidates (seed \(graine))")
        var g = Graine(graine)
        let baremes = Self.baremes
        var lot: [(Bareme, Situation)] = []
        lot.reserveCapacity(candidats)
        let session = SessionDeliberee(code: try SessionCode("BP-2027-06-N"), date: try Jour(2027, 7, 2))
        for index in 0..<candidats {
            let bareme = baremes[g.entier(0...(baremes.count - 1))]
            lot.append((bareme, try situation(bareme, index: index, session: session, &g)))
        }

        note("deliberation: deliberating")
        var decisions: [Decision: Int] = [:]
        var refus = 0
        var lignes = 0
        let horloge = ContinuousClock()
        let debut = horloge.now
        for (bareme, situation) in lot {
            do {
                let d = try Moteur.deliberer(situation, selon: bareme)
                decisions[d.decision, default: 0] += 1
                lignes += d.explication.count
            } catch {
                refus += 1
            }
        }
        let secondes = (horloge.now - debut).seconds
        var sortie = ["## cyclades-load deliberation: the award engine alone", ""]
        sortie.append("| measure | value |")
        sortie.append("|---|---:|")
        sortie.append("| candidates deliberated | \(format(Double(candidats))) |")
        sortie.append("| seconds | \(format(secondes, decimals: 3)) |")
        sortie.append("| candidates/s | \(format(Double(candidats) / secondes)) |")
        sortie.append("| µs per candidate | \(format(secondes * 1e6 / Double(candidats), decimals: 2)) |")
        sortie.append("")
        sortie.append("Decisions: " + Decision.allCases.map { "\($0.rawValue) \(decisions[$0, default: 0])" }.joined(separator: ", ")
            + "; refused inputs \(refus); \(lignes) explanation lines built (the French text is part of the work).")
        sortie.append("One thread, BOULANGER / COIFFURE / ARTS_CUISINE barèmes, seed \(graine); generation not timed.")
        print(sortie.joined(separator: "\n"))
    }

    static let baremes: [Bareme] = [
        Bareme(specialite: "BOULANGER", unites: [
            .obligatoire("U10", "Fabrication d'une commande", coefficient: 12),
            .obligatoire("U20", "Technologie professionnelle", coefficient: 3),
            .obligatoire("U30", "Sciences appliquées", coefficient: 3),
            .obligatoire("U41", "Environnement économique, juridique et gestion", coefficient: 3),
            .obligatoire("U42", "Dossier d'étude technique", coefficient: 3),
            .obligatoire("U50", "Expression française et ouverture sur le monde", coefficient: 3),
            .obligatoire("U60", "Langue vivante étrangère", coefficient: 1),
            .facultative("UF1", "Langue vivante étrangère facultative"),
        ]),
        Bareme(specialite: "COIFFURE", unites: [
            .obligatoire("U10", "Création couleur coupe coiffage", coefficient: 6),
            .obligatoire("U20", "Modification durable de la forme", coefficient: 5),
            .obligatoire("U30A", "Coiffure événementielle", coefficient: 3, option: "E3"),
            .obligatoire("U30B", "Coupe homme et entretien pilo-facial", coefficient: 3, option: "E3"),
            .obligatoire("U40", "Management et gestion d'un salon", coefficient: 3),
            .obligatoire("U50", "Expression française et ouverture sur le monde", coefficient: 3),
            .obligatoire("U60", "Langue vivante étrangère", coefficient: 1),
            .facultative("UF1", "Langue vivante étrangère facultative"),
        ]),
        Bareme(specialite: "ARTS_CUISINE", unites: [
            .obligatoire("UP1", "Conception et organisation de prestations", coefficient: 4),
            .obligatoire("UP2", "Préparations et productions", coefficient: 12),
            .obligatoire("UP3", "Gestion de l'activité", coefficient: 5),
            .obligatoire("UG4", "Expression et connaissance du monde", coefficient: 3),
            .obligatoire("UG5", "Langue vivante", coefficient: 3),
            .facultative("UF1", "Langue vivante étrangère facultative"),
        ]),
    ]

    /// Mostly graded units, some ABS/ABJ/DI/dispensed/carried, a third with a facultative.
    private static func situation(_ bareme: Bareme, index: Int, session: SessionDeliberee, _ g: inout Graine) throws -> Situation {
        let forme: Forme = g.entier(0...3) == 0 ? .progressive : .globale
        var resultats: [Resultat] = []
        var option = false
        for unite in bareme.unites where !unite.facultative {
            if unite.groupeOption != nil {
                guard !option else { continue }
                option = true
            }
            switch g.entier(0...99) {
            case 0..<80: resultats.append(try Resultat.note(unite.code, g.entier(400...1800)))
            case 80..<83: resultats.append(.code(unite.code, .absent))
            case 83..<86: resultats.append(.code(unite.code, .absentJustifie))
            case 86..<88: resultats.append(.code(unite.code, .dispense))
            case 88..<90: resultats.append(.dispense(unite.code))
            default:
                let annee = g.entier(2021...2026)
                resultats.append(try Resultat.anterieure(
                    unite.code, g.entier(400...1800), session: try SessionCode(annee: annee, mois: 6, nature: .normale),
                    obtenueLe: try Jour(annee, 7, 3)))
            }
        }
        if g.entier(0...2) == 0, let facultative = bareme.unites.first(where: \.facultative) {
            resultats.append(try Resultat.note(facultative.code, g.entier(0...2000)))
        }
        return Situation(candidat: String(index), forme: forme, session: session, resultats: resultats)
    }
}

/// SplitMix64, deterministic.
private struct Graine {
    private var etat: UInt64
    init(_ graine: UInt64) { etat = graine }

    mutating func entier(_ bornes: ClosedRange<Int>) -> Int {
        etat &+= 0x9E37_79B9_7F4A_7C15
        var z = etat
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return bornes.lowerBound + Int(z % UInt64(bornes.count))
    }
}
