/// A grade out of 20, or the reason there is none. Values are exact hundredths (`Centiemes`),
/// never binary floating point. An absence is never silently 0: it stays `absent` or
/// `absentJustifie` until the rules of award decide what it means.
///
/// Encoded in JSON as a single canonical string: "12.50" (a dot, two decimals, no leading zero),
/// "ABS", "ABJ", "DI" or "NN". Decoding accepts that canonical form only.
public enum Note: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A grade, 0...20 in hundredths.
    case valeur(Centiemes)
    /// `ABS`: absent without justification.
    case absent
    /// `ABJ`: absent for duly established force majeure.
    case absentJustifie
    /// `DI`: dispensed or neutralised (medical unfitness, EPS).
    case dispense
    /// `NN`: not yet entered.
    case nonSaisie

    /// A grade of `centiemes` hundredths. Throws `note.hors_bareme` outside 0...2000 and `note.pas`
    /// when it is not a multiple of `pas` (any value with two decimals by default).
    public init(centiemes: Int, pas: PasDeNotation = .centieme) throws(DomainError) {
        let valeur = try Centiemes(centiemes)
        guard pas.admet(centiemes) else {
            throw Note.erreurDePas(citation: valeur.affichage, centiemes: centiemes, pas: pas)
        }
        self = .valeur(valeur)
    }

    /// Reads a grade as people type it: "12,5", "12.50", "12", " 7,25 ", "0", "20", or a code
    /// "ABS", "ABJ", "DI", "NN" (any case). Surrounding white space is ignored.
    ///
    /// Errors (`DomainError.code`): `note.vide` (nothing typed), `note.format` (not a number with
    /// digits on both sides of one `,` or `.`, signs, exponents, unknown codes...),
    /// `note.decimales` (more than two decimals), `note.hors_bareme` (below 0 or above 20),
    /// `note.pas` (not a multiple of the épreuve's step `pas`).
    public static func parse(_ text: String, pas: PasDeNotation = .quart) throws(DomainError) -> Note {
        let saisie = text.sansBlancsAutour
        guard !saisie.isEmpty else {
            throw DomainError(
                code: "note.vide",
                message: "Note vide : saisissez une note entre 0 et 20 (par exemple 12,5) "
                    + "ou un code : ABS, ABJ, DI ou NN.")
        }
        switch saisie.majusculesASCII {
        case "ABS": return .absent
        case "ABJ": return .absentJustifie
        case "DI": return .dispense
        case "NN": return .nonSaisie
        default: break
        }

        var reste = Substring(saisie)
        let negative = reste.first == "-"
        if negative { reste = reste.dropFirst() }
        let partieEntiere = reste.prefix(while: { $0.chiffreASCII != nil })
        reste = reste.dropFirst(partieEntiere.count)
        var partieDecimale: Substring = ""
        var avecSeparateur = false
        if let separateur = reste.first, separateur == "," || separateur == "." {
            avecSeparateur = true
            reste = reste.dropFirst()
            partieDecimale = reste.prefix(while: { $0.chiffreASCII != nil })
            reste = reste.dropFirst(partieDecimale.count)
        }
        guard !partieEntiere.isEmpty, reste.isEmpty, !avecSeparateur || !partieDecimale.isEmpty else {
            if saisie.allSatisfy(\.isLetter) {
                throw DomainError(
                    code: "note.format",
                    message: "Note \(citation(saisie)) invalide : code inconnu ; les codes acceptés "
                        + "sont ABS (absent), ABJ (absent justifié), DI (dispensé) et NN (non saisie).")
            }
            throw DomainError(
                code: "note.format",
                message: "Note \(citation(saisie)) invalide : écrivez un nombre entre 0 et 20 avec au "
                    + "plus deux décimales (par exemple 12,5 ou 12.50) ou un code : ABS, ABJ, DI ou NN.")
        }
        guard partieDecimale.count <= 2 else {
            throw DomainError(
                code: "note.decimales",
                message: "Note \(citation(saisie)) invalide : au plus deux décimales sont permises.")
        }
        guard !negative else {
            throw DomainError(
                code: "note.hors_bareme",
                message: "Note \(citation(saisie)) invalide : une note ne peut pas être négative.")
        }
        let horsBareme = DomainError(
            code: "note.hors_bareme",
            message: "Note \(citation(saisie)) invalide : une note est comprise entre 0 et 20.")
        let significatif = partieEntiere.drop(while: { $0 == "0" })
        guard significatif.count <= 2 else { throw horsBareme }
        let entier = Int(significatif) ?? 0
        var decimales = Int(partieDecimale) ?? 0
        if partieDecimale.count == 1 { decimales *= 10 }
        let centiemes = entier * 100 + decimales
        guard centiemes <= 2000 else { throw horsBareme }
        guard pas.admet(centiemes) else {
            throw erreurDePas(citation: citation(saisie), centiemes: centiemes, pas: pas)
        }
        return .valeur(try Centiemes(centiemes))
    }

    private static func erreurDePas(citation: String, centiemes: Int, pas: PasDeNotation) -> DomainError {
        let dessous = centiemes - centiemes % pas.centiemes
        let dessus = dessous + pas.centiemes  // ≤ 2000: pas divides 2000 and centiemes < 2000
        let unite = pas.centiemes >= 200 ? "points" : "point"
        return DomainError(
            code: "note.pas",
            message: "Note \(citation) invalide : le pas de notation de l'épreuve est de "
                + "\(pas.affichage) \(unite) ; valeurs voisines permises : "
                + "\(ecrireCentiemes(dessous, separateur: ",")) ou "
                + "\(ecrireCentiemes(dessus, separateur: ",")).")
    }

    /// The grade in hundredths, nil for a code.
    public var centiemes: Int? {
        if case .valeur(let v) = self { v.valeur } else { nil }
    }

    /// "ABS", "ABJ", "DI" or "NN"; nil for a grade.
    public var code: String? {
        switch self {
        case .valeur: nil
        case .absent: "ABS"
        case .absentJustifie: "ABJ"
        case .dispense: "DI"
        case .nonSaisie: "NN"
        }
    }

    /// False only for `NN`: a grade, an absence or a dispense counts as entered.
    public var estSaisie: Bool { self != .nonSaisie }

    /// Whether the grade is a multiple of `pas` (codes always are).
    public func respecte(_ pas: PasDeNotation) -> Bool {
        guard let centiemes else { return true }
        return pas.admet(centiemes)
    }

    /// French writing for people: "12,50", "0,00", "20,00", "ABS", "ABJ", "DI", "NN".
    public var affichage: String {
        if case .valeur(let v) = self { v.affichage } else { code ?? "" }
    }

    /// French wording: "12,50", "absent", "absent justifié", "dispensé", "non saisie".
    public var libelle: String {
        switch self {
        case .valeur(let v): v.affichage
        case .absent: "absent"
        case .absentJustifie: "absent justifié"
        case .dispense: "dispensé"
        case .nonSaisie: "non saisie"
        }
    }

    /// The canonical writing used in JSON: "12.50", "ABS", "ABJ", "DI", "NN".
    public var canonique: String {
        if case .valeur(let v) = self { v.canonique } else { code ?? "" }
    }

    public var description: String { affichage }

    public init(from decoder: any Decoder) throws {
        let conteneur = try decoder.singleValueContainer()
        let texte = try conteneur.decode(String.self)
        let note: Note
        do {
            note = try Note.parse(texte, pas: .centieme)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: conteneur.codingPath, debugDescription: error.message,
                    underlyingError: error))
        }
        guard note.canonique == texte else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: conteneur.codingPath,
                    debugDescription: "Note \(citation(texte)) invalide : forme canonique attendue "
                        + "(\(note.canonique)) ; une note s'écrit avec un point et deux décimales "
                        + "(par exemple 12.50) ou ABS, ABJ, DI, NN."))
        }
        self = note
    }

    public func encode(to encoder: any Encoder) throws {
        var conteneur = encoder.singleValueContainer()
        try conteneur.encode(canonique)
    }
}
