import Domain
import MoteurDeliberation
import Testing

/// SplitMix64: a small deterministic generator, so that a failing seed can be replayed.
struct Generateur {
    private var etat: UInt64
    init(graine: UInt64) { etat = graine }

    mutating func suivant() -> UInt64 {
        etat &+= 0x9E37_79B9_7F4A_7C15
        var z = etat
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func entier(_ bornes: ClosedRange<Int>) -> Int {
        bornes.lowerBound + Int(suivant() % UInt64(bornes.count))
    }

    mutating func pourcent(_ p: Int) -> Bool { entier(0...99) < p }

    mutating func melanger<T>(_ liste: [T]) -> [T] {
        var copie = liste
        guard copie.count > 1 else { return copie }
        for i in stride(from: copie.count - 1, to: 0, by: -1) { copie.swapAt(i, entier(0...i)) }
        return copie
    }
}

/// Random barèmes and situations: the fixtures and made-up spécialités, every kind of result.
enum Hasard {
    static func bareme(_ g: inout Generateur) -> Bareme {
        switch g.entier(0...4) {
        case 0: return Baremes.boulanger
        case 1: return Baremes.coiffure
        case 2: return Baremes.artsDeLaCuisine
        default:
            var unites = (1...g.entier(1...8)).map { UniteDuBareme.obligatoire("U\($0)", "Unité \($0)", coefficient: g.entier(1...12)) }
            if g.pourcent(40) {
                let coefficient = g.entier(1...6)
                unites += [UniteDuBareme.obligatoire("O1", "Option 1", coefficient: coefficient, option: "EO"),
                           .obligatoire("O2", "Option 2", coefficient: g.entier(1...6), option: "EO")]
            }
            unites += (0..<g.entier(0...3)).map { UniteDuBareme.facultative("F\($0)", "Facultative \($0)") }
            return Bareme(specialite: "HASARD", unites: unites)
        }
    }

    static func situation(_ bareme: Bareme, _ g: inout Generateur) throws -> Situation {
        let forme: Forme = g.pourcent(50) ? .globale : .progressive
        var resultats: [Resultat] = []
        var groupes = Set<String>()
        for unite in bareme.unites where !unite.facultative {
            if let groupe = unite.groupeOption {
                guard !groupes.contains(groupe), g.pourcent(70) else { continue }
                groupes.insert(groupe)
            }
            let tirage = g.entier(0...99)
            switch tirage {
            case 0..<62: resultats.append(try Resultat.note(unite.code, g.entier(0...2000)))
            case 62..<67: resultats.append(.code(unite.code, .absent))
            case 67..<72: resultats.append(.code(unite.code, .absentJustifie))
            case 72..<76: resultats.append(.code(unite.code, .dispense))
            case 76..<80: resultats.append(.dispense(unite.code))
            case 80..<95:
                let annee = g.entier(2020...2026)
                resultats.append(try Resultat.anterieure(
                    unite.code, g.entier(0...2000), session: try SessionCode(annee: annee, mois: 6, nature: .normale),
                    obtenueLe: try Jour(annee, 7, g.entier(1...9))))
                if forme == .progressive && g.pourcent(30) {
                    resultats.append(try Resultat.note(unite.code, g.entier(0...2000)))
                }
            case 95..<96: resultats.append(.code(unite.code, .nonSaisie))
            default: break  // nothing: to sit later, or missing
            }
        }
        if let facultative = g.melanger(bareme.unites.filter(\.facultative)).first, g.pourcent(35) {
            resultats.append(g.pourcent(90) ? try Resultat.note(facultative.code, g.entier(0...2000)) : .code(facultative.code, .absent))
        }
        return Situation(candidat: "H", forme: forme, session: try Sessions.juin2027(), resultats: g.melanger(resultats))
    }

    /// `count` random (barème, situation) pairs the engine accepts (a few have every unit
    /// dispensed and are refused: skipped).
    static func cas(_ count: Int, graine: UInt64) throws -> [(Bareme, Situation, Deliberation)] {
        var g = Generateur(graine: graine)
        var liste: [(Bareme, Situation, Deliberation)] = []
        while liste.count < count {
            let bareme = bareme(&g)
            let situation = try situation(bareme, &g)
            guard let d = try? Moteur.deliberer(situation, selon: bareme) else { continue }
            liste.append((bareme, situation, d))
        }
        return liste
    }
}

extension Situation {
    /// The same situation with `unite`'s grade of this session replaced.
    func avec(_ unite: String, centiemes: Int) throws -> Situation {
        var copie = self
        copie.resultats = try resultats.map {
            guard $0.unite == unite, case .session(.valeur) = $0.origine else { return $0 }
            return try Resultat.note(unite, centiemes)
        }
        return copie
    }
}

@Suite("Propriétés sur des situations tirées au hasard (graine fixe)")
struct ProprietesTests {
    static let nombre = 3000

    @Test("every kind of decision is generated")
    func variete() throws {
        let decisions = Set(try Hasard.cas(Self.nombre, graine: 1).map(\.2.decision))
        #expect(decisions == Set(Decision.allCases))
    }

    @Test("the order of results and of the barème's units never matters")
    func ordre() throws {
        var g = Generateur(graine: 2)
        for (bareme, situation, d) in try Hasard.cas(Self.nombre, graine: 2) {
            var melangee = situation
            melangee.resultats = g.melanger(situation.resultats)
            #expect(try Moteur.deliberer(melangee, selon: bareme) == d)

            let autreOrdre = Bareme(specialite: bareme.specialite, unites: g.melanger(bareme.unites))
            let e = try Moteur.deliberer(melangee, selon: autreOrdre)
            #expect(e.decision == d.decision)
            #expect(e.moyenne == d.moyenne)
            #expect(e.pointsDeJury == d.pointsDeJury)
            #expect(e.attestationDeReussite == d.attestationDeReussite)
            #expect(e.sessionDeRemplacement == d.sessionDeRemplacement)
            #expect(Set(e.acquis.map(\.unite)) == Set(d.acquis.map(\.unite)))
            func parUnite(_ x: Deliberation) -> [String: String] {
                Dictionary(x.unites.filter { $0.statut != .nonPassee || $0.coefficient != nil }.map { ($0.unite, "\($0.statut) \($0.points)") },
                           uniquingKeysWith: { a, _ in a })
            }
            #expect(parUnite(e) == parUnite(d))
        }
    }

    @Test("raising a grade never turns admis into ajourné")
    func monotonie() throws {
        var g = Generateur(graine: 3)
        for (bareme, situation, d) in try Hasard.cas(Self.nombre, graine: 3) {
            let notees = situation.resultats.compactMap { r -> (String, Int)? in
                if case .session(.valeur(let v)) = r.origine, v.valeur < 2000 { return (r.unite, v.valeur) }
                return nil
            }
            guard let (unite, note) = g.melanger(notees).first else { continue }
            let relevee = try Moteur.deliberer(try situation.avec(unite, centiemes: g.entier(note...2000)), selon: bareme)
            if d.decision == .admis { #expect(relevee.decision == .admis) }
            if let avant = d.moyenne, let apres = relevee.moyenne { #expect(avant <= apres) }
            #expect(relevee.decision == d.decision || (d.decision == .ajourne && relevee.decision == .admis))
        }
    }

    @Test("a dispensed or neutralised unit leaves the average of the others unchanged")
    func dispense() throws {
        var g = Generateur(graine: 4)
        var verifies = 0
        for (bareme, situation, d) in try Hasard.cas(Self.nombre, graine: 4) {
            guard let moyenne = d.moyenne else { continue }
            let comptees = d.unites.filter { $0.compte && !$0.facultative }
            guard comptees.count > 1, let ligne = g.melanger(comptees).first, let coefficient = ligne.coefficient else { continue }
            var sansElle = situation
            sansElle.resultats.removeAll { $0.unite == ligne.unite }
            sansElle.resultats.append(g.pourcent(50) ? .dispense(ligne.unite) : .code(ligne.unite, .dispense))
            let e = try Moteur.deliberer(sansElle, selon: bareme)
            // Dispensing the only unit graded at this session may leave nothing but ABS/ABJ:
            // the candidate sat nothing, « absent » (no average) — the absence rule, not the average's.
            guard e.decision != .absent else { continue }
            #expect(e.moyenne?.points == moyenne.points - ligne.points)
            #expect(e.moyenne?.coefficients == moyenne.coefficients - coefficient)
            // The other lines are untouched.
            #expect(e.unites.filter { $0.unite != ligne.unite } == d.unites.filter { $0.unite != ligne.unite })
            verifies += 1
        }
        #expect(verifies > Self.nombre / 4)
    }

    @Test("the fewest jury points flip the decision; one hundredth less, on any unit, does not")
    func pointsDeJury() throws {
        var verifies = 0
        for (bareme, situation, d) in try Hasard.cas(Self.nombre, graine: 5) {
            if d.decision != .ajourne || d.moyenne == nil { #expect(d.pointsDeJury == nil) }
            guard let p = d.pointsDeJury else { continue }
            #expect(p.noteNecessaire.valeur == p.noteActuelle.valeur + p.centiemes)
            let releve = try Moteur.deliberer(try situation.avec(p.unite, centiemes: p.noteNecessaire.valeur), selon: bareme)
            #expect(releve.decision == .admis)
            #expect(releve.moyenne == p.moyenneObtenue)
            for ligne in d.unites where [.obtenue, .nonObtenue].contains(ligne.statut) {
                guard let note = ligne.note else { continue }
                let moins = min(2000, note.valeur + p.centiemes - 1)
                let e = try Moteur.deliberer(try situation.avec(ligne.unite, centiemes: moins), selon: bareme)
                #expect(e.decision == .ajourne, "\(ligne.unite) +\(p.centiemes - 1)")
            }
            verifies += 1
        }
        #expect(verifies > 100)
    }

    @Test("no jury points means no single raise of this session's grades flips the decision")
    func pasDePointsDeJury() throws {
        for (bareme, situation, d) in try Hasard.cas(Self.nombre, graine: 6) where d.decision == .ajourne && d.moyenne != nil && d.pointsDeJury == nil {
            for ligne in d.unites where [.obtenue, .nonObtenue].contains(ligne.statut) {
                let e = try Moteur.deliberer(try situation.avec(ligne.unite, centiemes: 2000), selon: bareme)
                #expect(e.decision == .ajourne)
            }
        }
    }
}
