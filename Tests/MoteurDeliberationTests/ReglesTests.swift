import Domain
import MoteurDeliberation
import Testing

// The rules of award, case by case, from DOMAIN.md « The rules of award » (Code de l'éducation,
// articles D337-95 to D337-124, the BP). Each case names the rule it checks. Article numbers:
// the task cites D337-110 for the average ≥ 10; for the other rules DOMAIN.md gives only the
// range D337-95 to D337-124, and no precise article is claimed here (« D337-95 à 124 »).
// The règlement data (units, coefficients, options) comes from the spécialité, not the Code.

/// The rule a case checks, with its source.
enum Regle: String, Sendable {
    /// « average, weighted by the coefficients, over all units ≥ 10/20 » — D337-110 (as cited by the task).
    case moyenne = "D337-110 moyenne pondérée ≥ 10"
    /// « For the optional unit only the points above 10 count » — D337-95 à 124.
    case facultative = "D337-95 à 124 facultative : points au-dessus de 10"
    /// « a candidate declared absent (unjustified) cannot be awarded » — D337-95 à 124.
    case absence = "D337-95 à 124 absence non justifiée"
    /// « force majeure: grade 0, session de remplacement » — D337-95 à 124.
    case forceMajeure = "D337-95 à 124 force majeure (ABJ)"
    /// « dispensed units leave both sides of the average » — D337-95 à 124.
    case dispense = "D337-95 à 124 dispenses"
    /// « a grade ≥ 10 gives the unit, kept 5 years from the date obtained » — D337-95 à 124.
    case benefice = "D337-95 à 124 bénéfice 5 ans"
    /// « forme globale / progressive; decision when the last unit has been sat » — D337-95 à 124.
    case formes = "D337-95 à 124 formes globale et progressive"
    /// « an attestation de réussite may be issued for such units » — D337-95 à 124.
    case attestation = "D337-95 à 124 attestation de réussite"
    /// Jury sovereign, points de jury recorded (DOMAIN.md « Jury »).
    case jury = "D337-95 à 124 jury (points de jury)"
    /// Option group of the règlement (BP Coiffure E3), chosen at registration.
    case option = "règlement : groupe d'options"
    /// The engine's own rule for missing grades (preparation's control), not the Code's.
    case preparation = "moteur : notes manquantes"
}

struct Cas: Sendable, CustomTestStringConvertible {
    var nom: String
    var regles: [Regle]
    var bareme: Bareme
    var forme: Forme = .globale
    var resultats: [R]
    var decision: Decision
    /// The exact average "n/d", nil when none is computed.
    var moyenne: String?
    var affichage: String?
    var statuts: [String: StatutUnite] = [:]
    var extraits: [String] = []
    var attestation: Bool?
    var remplacement: Bool?
    /// (unit, hundredths); `.some(nil)` for « none ».
    var jury: (String, Int)??
    var acquis: [String]?

    var testDescription: String { "\(nom) [\(regles.map(\.rawValue).joined(separator: " ; "))]" }
}

let B = Baremes.boulanger
let C = Baremes.coiffure
let A = Baremes.artsDeLaCuisine

let cas: [Cas] = [
    // MARK: The weighted average against 10 (exact, truncated display)
    Cas(nom: "01 tout à 10 : moyenne exactement 10, admis", regles: [.moyenne], bareme: B,
        resultats: tous(B, 1000), decision: .admis, moyenne: "10/1", affichage: "10,00",
        statuts: ["U10": .obtenue], extraits: ["U10 Fabrication d'une commande : 10,00 × 12 = 120,00 points ; unité obtenue", "Moyenne : 280,00 points / 28 = 10,00", "Décision : admis — moyenne ≥ 10"],
        attestation: false, jury: .some(nil), acquis: []),
    Cas(nom: "02 un centième de moins : 9,99 affiché, jamais 10,00, ajourné", regles: [.moyenne, .jury], bareme: B,
        resultats: tous(B, 1000, sauf: [.n("U60", 999)]), decision: .ajourne, moyenne: "27999/2800", affichage: "9,99",
        statuts: ["U60": .nonObtenue], extraits: ["9,99 (valeur exacte 27999/2800", "< 10", "Décision : ajourné — moyenne < 10"],
        attestation: true, jury: .some(("U10", 1))),
    Cas(nom: "03 pondération : U10 coef 12 à 12, le reste à 8 → 68/7", regles: [.moyenne, .jury], bareme: B,
        resultats: tous(B, 800, sauf: [.n("U10", 1200)]), decision: .ajourne, moyenne: "68/7", affichage: "9,71",
        extraits: ["U20 Technologie professionnelle : 8,00 × 3 = 24,00 points ; note < 10"],
        attestation: true, jury: .some(("U10", 67))),
    Cas(nom: "04 pondération : U10 à 13 compense le reste à 9 → 75/7, admis", regles: [.moyenne], bareme: B,
        resultats: tous(B, 900, sauf: [.n("U10", 1300)]), decision: .admis, moyenne: "75/7", affichage: "10,71",
        jury: .some(nil)),
    Cas(nom: "05 tout à 9 : ajourné sans aucune unité obtenue, pas d'attestation", regles: [.moyenne, .attestation, .jury], bareme: B,
        resultats: tous(B, 900), decision: .ajourne, moyenne: "9/1", affichage: "9,00",
        attestation: false, jury: .some(("U10", 234)), acquis: []),
    Cas(nom: "06 tout à 0 : aucune hausse d'une seule note ne suffit", regles: [.moyenne, .jury], bareme: B,
        resultats: tous(B, 0), decision: .ajourne, moyenne: "0/1", affichage: "0,00",
        extraits: ["aucune hausse d'une seule note de cette session ne suffit"], jury: .some(nil)),
    Cas(nom: "07 tout à 20 : admis", regles: [.moyenne], bareme: B,
        resultats: tous(B, 2000), decision: .admis, moyenne: "20/1", affichage: "20,00"),
    Cas(nom: "08 Arts de la cuisine : UP2 à 9,50 → 88/9, 50 centièmes de jury sur UP2", regles: [.moyenne, .jury], bareme: A,
        resultats: tous(A, 1000, sauf: [.n("UP2", 950)]), decision: .ajourne, moyenne: "88/9", affichage: "9,77",
        attestation: true, jury: .some(("UP2", 50))),

    // MARK: The facultative unit
    Cas(nom: "09 facultative 16 : 6 points ajoutés, reste ajourné", regles: [.facultative, .jury], bareme: B,
        resultats: tous(B, 800, sauf: [.n("U10", 1200), .n("UF1", 1600)]), decision: .ajourne, moyenne: "139/14", affichage: "9,92",
        statuts: ["UF1": .obtenue], extraits: ["UF1 Langue vivante étrangère facultative (facultative) : 16,00 ; 6,00 points au-dessus de 10 ajoutés au total", "dont 6,00 de l'épreuve facultative UF1"],
        jury: .some(("U10", 17))),
    Cas(nom: "10 facultative 19 : 9 points au-dessus de 10 font passer à 10,03", regles: [.facultative, .moyenne], bareme: B,
        resultats: tous(B, 800, sauf: [.n("U10", 1200), .n("UF1", 1900)]), decision: .admis, moyenne: "281/28", affichage: "10,03"),
    Cas(nom: "11 facultative 8 : aucun point, pas de retrait", regles: [.facultative], bareme: B,
        resultats: tous(B, 1000, sauf: [.n("U60", 999), .n("UF1", 800)]), decision: .ajourne, moyenne: "27999/2800", affichage: "9,99",
        statuts: ["UF1": .nonObtenue], extraits: ["aucun point ajouté (seuls les points au-dessus de 10 comptent)"], jury: .some(("U10", 1))),
    Cas(nom: "12 facultative exactement 10 : rien ; à égalité de hausse le jury vise le plus gros coefficient", regles: [.facultative, .jury], bareme: B,
        resultats: tous(B, 1000, sauf: [.n("U60", 999), .n("UF1", 1000)]), decision: .ajourne, moyenne: "27999/2800",
        jury: .some(("U10", 1))),
    Cas(nom: "13 facultative ABS : sans effet, admis", regles: [.facultative, .absence], bareme: B,
        resultats: tous(B, 1000, sauf: [.abs("UF1")]), decision: .admis, moyenne: "10/1",
        statuts: ["UF1": .absente], extraits: ["UF1 Langue vivante étrangère facultative (facultative) : ABS ; sans effet (épreuve facultative)"]),
    Cas(nom: "14 Arts de la cuisine : facultative 17 fait passer 88/9 à 271/27", regles: [.facultative, .moyenne], bareme: A,
        resultats: tous(A, 1000, sauf: [.n("UP2", 950), .n("UF1", 1700)]), decision: .admis, moyenne: "271/27", affichage: "10,03"),
    Cas(nom: "15 progressive tout reporté : seule la facultative de cette session peut recevoir des points de jury", regles: [.facultative, .jury, .formes, .benefice], bareme: B, forme: .progressive,
        resultats: [.ant("U10", 990, "BP-2026-06-N", "2026-07-03")]
            + ["U20", "U30", "U41", "U42", "U50", "U60"].map { .ant($0, 1000, "BP-2026-06-N", "2026-07-03") }
            + [.n("UF1", 1050)],
        decision: .ajourne, moyenne: "399/40", affichage: "9,97",
        statuts: ["U10": .noteReportee, "U20": .beneficeReporte, "UF1": .obtenue], jury: .some(("UF1", 70))),

    // MARK: Absence (ABS) and force majeure (ABJ)
    Cas(nom: "16 ABS à une unité obligatoire : ajourné quelle que soit la moyenne", regles: [.absence], bareme: B,
        resultats: tous(B, 1500, sauf: [.abs("U20")]), decision: .ajourne, moyenne: nil,
        statuts: ["U20": .absente], extraits: ["U20 Technologie professionnelle : ABS, absence non justifiée", "Décision : ajourné — absence non justifiée à U20"],
        attestation: true, remplacement: false, jury: .some(nil), acquis: ["U10", "U30", "U41", "U42", "U50", "U60"]),
    Cas(nom: "17 ABJ compte 0 : ajourné, session de remplacement, pas de jury possible", regles: [.forceMajeure, .jury], bareme: B,
        resultats: tous(B, 1500, sauf: [.abj("U10")]), decision: .ajourne, moyenne: "60/7", affichage: "8,57",
        statuts: ["U10": .absenceJustifiee], extraits: ["U10 Fabrication d'une commande : ABJ, absence justifiée comptée 0 : 0,00 × 12 = 0,00 points", "Session de remplacement possible : absence justifiée à U10"],
        attestation: true, remplacement: true, jury: .some(nil)),
    Cas(nom: "18 ABJ à U60 mais moyenne ≥ 10 : admis, pas de remplacement", regles: [.forceMajeure, .moyenne], bareme: B,
        resultats: tous(B, 1100, sauf: [.abj("U60")]), decision: .admis, moyenne: "297/28", affichage: "10,60", remplacement: false),
    Cas(nom: "19 ABS partout : absent", regles: [.absence], bareme: B,
        resultats: tous(B, 0).map { .abs($0.unite) }, decision: .absent, moyenne: nil,
        extraits: ["Décision : absent — absent à toutes les épreuves présentées à cette session"], attestation: false, remplacement: false, jury: .some(nil)),
    Cas(nom: "20 ABJ partout : absent, session de remplacement", regles: [.forceMajeure], bareme: B,
        resultats: tous(B, 0).map { .abj($0.unite) }, decision: .absent, moyenne: nil, remplacement: true),
    Cas(nom: "21 ABS et ABJ mêlés partout : absent, remplacement pour les ABJ", regles: [.absence, .forceMajeure], bareme: A,
        resultats: [.abs("UP1"), .abj("UP2"), .abs("UP3"), .abj("UG4"), .abs("UG5")], decision: .absent, remplacement: true),
    Cas(nom: "22 ABS partout sauf une note : ajourné, pas absent", regles: [.absence], bareme: A,
        resultats: [.abs("UP1"), .abs("UP2"), .abs("UP3"), .abs("UG4"), .n("UG5", 1200)], decision: .ajourne, moyenne: nil,
        statuts: ["UG5": .obtenue], attestation: true),
    Cas(nom: "23 ABS partout mais une facultative notée : ajourné (il s'est présenté)", regles: [.absence, .facultative], bareme: A,
        resultats: [.abs("UP1"), .abs("UP2"), .abs("UP3"), .abs("UG4"), .abs("UG5"), .n("UF1", 1500)], decision: .ajourne, moyenne: nil),

    // MARK: Dispenses and neutralisation
    Cas(nom: "24 U50 dispensée : hors des deux côtés de la moyenne (250/25)", regles: [.dispense, .moyenne], bareme: B,
        resultats: [.n("U10", 1000), .n("U20", 900), .n("U30", 1100), .n("U41", 1000), .n("U42", 1000), .disp("U50"), .n("U60", 1000)],
        decision: .admis, moyenne: "10/1", statuts: ["U50": .dispensee],
        extraits: ["U50 Expression française et ouverture sur le monde : dispensée, hors moyenne (coefficient 3 retiré)", "Moyenne : 250,00 points / 25 = 10,00"]),
    Cas(nom: "25 U60 neutralisée (DI) : hors moyenne", regles: [.dispense], bareme: B,
        resultats: tous(B, 1000, sauf: [.di("U60")]), decision: .admis, moyenne: "10/1", statuts: ["U60": .neutralisee],
        extraits: ["U60 Langue vivante étrangère : DI, neutralisée, hors moyenne (coefficient 1 retiré)", "/ 27 = 10,00"]),
    Cas(nom: "26 dispense et DI ensemble, ajourné à 9,50 ; jury sur U10", regles: [.dispense, .moyenne, .jury], bareme: B,
        resultats: tous(B, 1100, sauf: [.n("U10", 800), .disp("U50"), .di("U60")]), decision: .ajourne, moyenne: "19/2", affichage: "9,50",
        jury: .some(("U10", 100))),
    Cas(nom: "27 Coiffure : U20 dispensée, option U30B", regles: [.dispense, .option], bareme: C,
        resultats: tous(C, 1000, sauf: [.disp("U20")], option: "U30B"), decision: .admis, moyenne: "10/1",
        extraits: ["/ 16 = 10,00"]),

    // MARK: Bénéfices (≥ 10, 5 years)
    Cas(nom: "28 globale : bénéfice 12 reporté de 2025 compte", regles: [.benefice, .formes], bareme: B,
        resultats: tous(B, 1000, sauf: [.ant("U20", 1200, "BP-2025-06-N", "2025-07-04")]), decision: .admis, moyenne: "143/14", affichage: "10,21",
        statuts: ["U20": .beneficeReporte],
        extraits: ["U20 Technologie professionnelle : 12,00 × 3 = 36,00 points ; bénéfice reporté de la session BP-2025-06-N (obtenue le 04/07/2025, valable jusqu'au 04/07/2030)"]),
    Cas(nom: "29 globale : bénéfice de plus de 5 ans ne compte plus, unité sans résultat → incomplet", regles: [.benefice, .preparation], bareme: B,
        resultats: tous(B, 1000, sauf: [.ant("U20", 1500, "BP-2021-06-N", "2021-07-01")]), decision: .incomplet, moyenne: nil,
        statuts: ["U20": .nonPassee], extraits: ["a plus de 5 ans au 02/07/2027 : elle ne compte plus"]),
    Cas(nom: "30 progressive : bénéfice expiré, l'unité est à repasser → en cours", regles: [.benefice, .formes], bareme: B, forme: .progressive,
        resultats: tous(B, 1000, sauf: [.ant("U20", 1500, "BP-2021-06-N", "2021-07-01")]), decision: .enCours, moyenne: nil,
        statuts: ["U20": .nonPassee], attestation: true),
    Cas(nom: "31 bénéfice obtenu il y a 5 ans jour pour jour : encore valable", regles: [.benefice], bareme: B,
        resultats: tous(B, 1000, sauf: [.ant("U20", 1200, "BP-2022-06-N", "2022-07-02")]), decision: .admis, moyenne: "143/14",
        statuts: ["U20": .beneficeReporte], extraits: ["valable jusqu'au 02/07/2027"]),
    Cas(nom: "32 ajourné : acquis = unités ≥ 10 de la session et bénéfice encore valable, avec leur date limite", regles: [.benefice, .attestation], bareme: B,
        resultats: tous(B, 800, sauf: [.ant("U20", 1200, "BP-2025-06-N", "2025-07-04"), .n("U60", 1400)]), decision: .ajourne, moyenne: "121/14", affichage: "8,64",
        extraits: ["Acquise : U20 (12,00, session BP-2025-06-N), conservée jusqu'au 04/07/2030", "Acquise : U60 (14,00, session BP-2027-06-N), conservée jusqu'au 02/07/2032", "Attestation de réussite due"],
        attestation: true, acquis: ["U20", "U60"]),
    Cas(nom: "33 ajourné avec un seul bénéfice antérieur et rien ≥ 10 cette session : pas d'attestation", regles: [.attestation, .benefice], bareme: B,
        resultats: tous(B, 800, sauf: [.ant("U20", 1200, "BP-2025-06-N", "2025-07-04")]), decision: .ajourne, moyenne: "59/7",
        attestation: false, acquis: ["U20"]),

    // MARK: The forms
    Cas(nom: "34 globale : une note < 10 antérieure ne se reporte pas → incomplet", regles: [.formes, .preparation], bareme: B,
        resultats: tous(B, 1200, sauf: [.ant("U20", 800, "BP-2026-06-N", "2026-07-03")]), decision: .incomplet,
        statuts: ["U20": .nonPassee], extraits: ["elle ne se reporte pas en forme globale"]),
    Cas(nom: "35 progressive : une note < 10 reportée compte (299/28)", regles: [.formes], bareme: B, forme: .progressive,
        resultats: tous(B, 1100, sauf: [.ant("U20", 800, "BP-2026-06-N", "2026-07-03")]), decision: .admis, moyenne: "299/28", affichage: "10,67",
        statuts: ["U20": .noteReportee], extraits: ["U20 Technologie professionnelle : 8,00 × 3 = 24,00 points ; note < 10 reportée de la session BP-2026-06-N (obtenue le 03/07/2026, valable jusqu'au 03/07/2031)"]),
    Cas(nom: "36 progressive : unité repassée, la dernière note compte", regles: [.formes], bareme: B, forme: .progressive,
        resultats: tous(B, 1000, sauf: [.ant("U20", 600, "BP-2026-06-N", "2026-07-03"), .n("U20", 1200)]), decision: .admis, moyenne: "143/14",
        statuts: ["U20": .obtenue], extraits: ["remplace la note 6,00 de la session BP-2026-06-N (la dernière note compte)"]),
    Cas(nom: "37 progressive : unités encore à passer → en cours, acquis et reportables", regles: [.formes, .attestation], bareme: A, forme: .progressive,
        resultats: [.n("UP1", 1200), .n("UG4", 800)], decision: .enCours, moyenne: nil,
        statuts: ["UP1": .obtenue, "UG4": .nonObtenue, "UP2": .nonPassee],
        extraits: ["UP2 Préparations et productions : non passée, à présenter à une session ultérieure", "Décision : en cours — forme progressive : unités encore à présenter (UP2, UP3, UG5)", "Reportable : UG4 (8,00 < 10, session BP-2027-06-N), peut être reportée jusqu'au 02/07/2032"],
        attestation: true, jury: .some(nil), acquis: ["UP1"]),
    Cas(nom: "38 progressive : note < 10 reportée mais expirée → à repasser, en cours", regles: [.formes, .benefice], bareme: B, forme: .progressive,
        resultats: tous(B, 1000, sauf: [.ant("U20", 900, "BP-2021-06-N", "2021-06-30")]), decision: .enCours, statuts: ["U20": .nonPassee]),
    Cas(nom: "39 progressive : ABS à une unité mais d'autres encore à passer → en cours", regles: [.formes, .absence], bareme: A, forme: .progressive,
        resultats: [.abs("UP1"), .n("UP2", 1100)], decision: .enCours, statuts: ["UP1": .absente]),
    Cas(nom: "40 progressive : ABS à tout ce qui était présenté → absent, même avec des unités à passer", regles: [.formes, .absence], bareme: A, forme: .progressive,
        resultats: [.abs("UP1"), .abs("UP2")], decision: .absent),
    Cas(nom: "41 globale : une unité sans résultat → incomplet", regles: [.formes, .preparation], bareme: A,
        resultats: [.n("UP1", 1200), .n("UP2", 1200), .n("UP3", 1200), .n("UG4", 1200)], decision: .incomplet, statuts: ["UG5": .nonPassee],
        extraits: ["forme globale : unités sans résultat à compter (UG5)"]),

    // MARK: Missing grades (NN)
    Cas(nom: "42 une note NN → incomplet", regles: [.preparation], bareme: B,
        resultats: tous(B, 1500, sauf: [.nn("U41")]), decision: .incomplet, moyenne: nil, statuts: ["U41": .nonSaisie],
        extraits: ["Décision : incomplet (notes manquantes) — notes non saisies (U41)"]),
    Cas(nom: "43 facultative NN → incomplet", regles: [.preparation, .facultative], bareme: B,
        resultats: tous(B, 1500, sauf: [.nn("UF1")]), decision: .incomplet),

    // MARK: Option groups (BP Coiffure E3)
    Cas(nom: "44 Coiffure option U30A : tout à 10, admis", regles: [.option, .moyenne], bareme: C,
        resultats: tous(C, 1000), decision: .admis, moyenne: "10/1", statuts: ["U30A": .obtenue], extraits: ["/ 21 = 10,00"]),
    Cas(nom: "45 Coiffure option U30B à 14 compense U10 à 9 (72/7)", regles: [.option, .moyenne], bareme: C,
        resultats: tous(C, 1000, sauf: [.n("U10", 900), .n("U30B", 1400)], option: "none"), decision: .admis, moyenne: "72/7", affichage: "10,28",
        statuts: ["U30B": .obtenue]),
    Cas(nom: "46 Coiffure progressive : option pas encore passée → ligne E3, en cours", regles: [.option, .formes], bareme: C, forme: .progressive,
        resultats: tous(C, 1200, option: "none"), decision: .enCours, statuts: ["E3": .nonPassee],
        extraits: ["E3 (option U30A ou U30B) : non passée"]),
    Cas(nom: "47 Coiffure globale : option sans résultat → incomplet", regles: [.option, .preparation], bareme: C,
        resultats: tous(C, 1200, option: "none"), decision: .incomplet, statuts: ["E3": .nonPassee]),
    Cas(nom: "48 Coiffure : ABJ à l'option U30B compte 0, admis quand même, donc pas de remplacement", regles: [.option, .forceMajeure], bareme: C,
        resultats: tous(C, 1200, sauf: [.abj("U30B")], option: "none"), decision: .admis, moyenne: "72/7",
        statuts: ["U30B": .absenceJustifiee], remplacement: false),
]

@Suite("Règles d'attribution, cas par cas")
struct ReglesTests {
    @Test(arguments: cas)
    func regle(_ c: Cas) throws {
        let resultat = try deliberer(c.bareme, c.forme, c.resultats)
        let texte = resultat.explication.joined(separator: "\n")
        #expect(resultat.decision == c.decision, "\(texte)")
        #expect(resultat.moyenne?.valeur.description == c.moyenne, "\(texte)")
        if let affichage = c.affichage { #expect(resultat.moyenne?.affichage == affichage) }
        for (unite, statut) in c.statuts {
            #expect(resultat.unites.first { $0.unite == unite }?.statut == statut, "\(unite)\n\(texte)")
        }
        for extrait in c.extraits { #expect(texte.contains(extrait), "« \(extrait) » absent de :\n\(texte)") }
        if let attestation = c.attestation { #expect(resultat.attestationDeReussite == attestation, "\(texte)") }
        if let remplacement = c.remplacement { #expect(resultat.sessionDeRemplacement == remplacement, "\(texte)") }
        if let jury = c.jury {
            #expect(resultat.pointsDeJury?.unite == jury?.0, "\(texte)")
            #expect(resultat.pointsDeJury?.centiemes == jury?.1, "\(texte)")
        }
        if let acquis = c.acquis { #expect(resultat.acquis.map(\.unite) == acquis, "\(texte)") }
        // Every line explained; the decision line is always there.
        #expect(resultat.unites.allSatisfy { !$0.explication.isEmpty })
        #expect(texte.contains("Décision : \(c.decision.libelle)"))
    }

    @Test("at least 40 cases, every rule covered")
    func couverture() {
        #expect(cas.count >= 40)
        let couvertes = Set(cas.flatMap(\.regles).map(\.rawValue))
        for regle in [Regle.moyenne, .facultative, .absence, .forceMajeure, .dispense, .benefice, .formes, .attestation, .jury, .option, .preparation] {
            #expect(couvertes.contains(regle.rawValue), "\(regle)")
        }
    }
}
