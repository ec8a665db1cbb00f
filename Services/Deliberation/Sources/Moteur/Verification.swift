import Domain

/// The results of a situation sorted by unit, once checked against the barème.
struct ResultatsParUnite {
    var session: [String: Note] = [:]
    var anterieures: [String: [(note: Centiemes, session: SessionCode, obtenueLe: Jour)]] = [:]
    var dispenses: Set<String> = []

    func aUnResultat(_ code: String) -> Bool {
        session[code] != nil || anterieures[code] != nil || dispenses.contains(code)
    }
}

extension Situation {
    /// Checks the situation against the barème and sorts its results by unit. Throws on an
    /// unknown unit, two facultatives, two options of one group, contradictory or duplicate
    /// results, an earlier grade dated on or after the deliberation.
    func verifier(selon bareme: Bareme) throws(DomainError) -> ResultatsParUnite {
        guard resultats.count <= Situation.maximumResultats else {
            throw ErreurDeliberation.resultat(
                "Trop de résultats (\(resultats.count)) : au plus \(Situation.maximumResultats) par candidat.")
        }
        guard candidat.count <= 100 else {
            throw ErreurDeliberation.resultat("Le numéro du candidat dépasse 100 caractères.")
        }
        var unites: [String: UniteDuBareme] = [:]
        for unite in bareme.unites { unites[unite.code] = unite }
        var tri = ResultatsParUnite()
        for resultat in resultats {
            guard let unite = unites[resultat.unite] else {
                throw ErreurDeliberation.uniteInconnue(resultat.unite, specialite: bareme.specialite)
            }
            switch resultat.origine {
            case .session(let note):
                guard tri.session[unite.code] == nil else {
                    throw ErreurDeliberation.resultat(
                        "Unité \(unite.code) : deux résultats pour la session \(session.code) ; un seul est attendu.")
                }
                tri.session[unite.code] = note
            case .anterieure(let note, let origine, let obtenueLe):
                guard !unite.facultative else {
                    throw ErreurDeliberation.resultat(
                        "Unité facultative \(unite.code) : seule une note de cette session compte, une note antérieure ne se reporte pas.")
                }
                guard obtenueLe < session.date else {
                    throw ErreurDeliberation.resultat(
                        "Unité \(unite.code) : la note de la session \(origine) est datée du \(obtenueLe.affichage), "
                            + "pas avant la délibération du \(session.date.affichage).")
                }
                var liste = tri.anterieures[unite.code, default: []]
                guard liste.count < 10 else {
                    throw ErreurDeliberation.resultat("Unité \(unite.code) : plus de 10 notes antérieures.")
                }
                guard !liste.contains(where: { $0.obtenueLe == obtenueLe }) else {
                    throw ErreurDeliberation.resultat(
                        "Unité \(unite.code) : deux notes antérieures obtenues le même jour (\(obtenueLe.affichage)).")
                }
                liste.append((note, origine, obtenueLe))
                tri.anterieures[unite.code] = liste
            case .dispense:
                guard !unite.facultative else {
                    throw ErreurDeliberation.resultat(
                        "Unité facultative \(unite.code) : on ne s'en dispense pas, il suffit de ne pas la choisir.")
                }
                tri.dispenses.insert(unite.code)
            }
        }
        for code in tri.dispenses where tri.session[code] != nil || tri.anterieures[code] != nil {
            throw ErreurDeliberation.resultat(
                "Unité \(code) : à la fois dispensée et notée ; une unité dispensée n'a pas de note.")
        }
        let facultatives = bareme.unites.filter { $0.facultative && tri.aUnResultat($0.code) }.map(\.code)
        guard facultatives.count <= 1 else { throw ErreurDeliberation.facultatives(facultatives) }
        var groupes: [String: [String]] = [:]
        for unite in bareme.unites {
            if let groupe = unite.groupeOption, tri.aUnResultat(unite.code) {
                groupes[groupe, default: []].append(unite.code)
            }
        }
        for (groupe, codes) in groupes.sorted(by: { $0.key < $1.key }) where codes.count > 1 {
            throw ErreurDeliberation.option(
                "Épreuve \(groupe) : résultats pour plusieurs options (\(codes.joined(separator: ", "))) ; "
                    + "le candidat présente l'option choisie à l'inscription, une seule.")
        }
        return tri
    }
}
