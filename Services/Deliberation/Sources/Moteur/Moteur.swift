import Domain

/// The rules of award of the Brevet Professionnel (DOMAIN.md, « The rules of award »;
/// Code de l'éducation D337-95 to D337-124), as a pure function of a candidate's situation and
/// the spécialité's barème. Exact integer arithmetic only; an invalid input is a thrown
/// `DomainError`, never a trap.
public enum Moteur {
    /// The validity of a grade kept for later sessions, from the date it was obtained.
    public static let anneesDeValidite = 5

    public static func deliberer(_ situation: Situation, selon bareme: Bareme) throws(DomainError) -> Deliberation {
        try bareme.verifier()
        let tri = try situation.verifier(selon: bareme)
        let lignes = lignesObligatoires(bareme, tri, situation) + ligneFacultative(bareme, tri, situation)
        return try conclure(situation, bareme, lignes)
    }

    // MARK: What counts for each unit

    /// One line per compulsory unit, and one per option group (its chosen unit, or the group's
    /// code while none has a result), in the barème's order.
    private static func lignesObligatoires(_ bareme: Bareme, _ tri: ResultatsParUnite, _ situation: Situation) -> [LigneUnite] {
        var lignes: [LigneUnite] = []
        var groupesVus = Set<String>()
        for unite in bareme.unites where !unite.facultative {
            guard let groupe = unite.groupeOption else {
                lignes.append(ligne(unite, tri, situation))
                continue
            }
            guard groupesVus.insert(groupe).inserted else { continue }
            let options = bareme.unites.filter { $0.groupeOption == groupe }
            if let choisie = options.first(where: { tri.aUnResultat($0.code) }) {
                lignes.append(ligne(choisie, tri, situation))
            } else {
                let codes = options.map(\.code).joined(separator: " ou ")
                lignes.append(LigneUnite(
                    unite: groupe, libelle: "option \(codes)", coefficient: options.first?.coefficient,
                    facultative: false, statut: .nonPassee, note: nil, compte: false, points: 0,
                    explication: "\(groupe) (option \(codes)) : "
                        + (situation.forme == .progressive ? "non passée, à présenter à une session ultérieure"
                                                           : "aucun résultat (forme globale : toutes les unités à cette session)")))
            }
        }
        return lignes
    }

    private static func ligne(_ unite: UniteDuBareme, _ tri: ResultatsParUnite, _ situation: Situation) -> LigneUnite {
        let coefficient = unite.coefficient ?? 0
        let titre = "\(unite.code) \(unite.libelle)"
        var ligne = LigneUnite(
            unite: unite.code, libelle: unite.libelle, coefficient: unite.coefficient, facultative: false,
            statut: .nonPassee, note: nil, compte: false, points: 0, explication: "")
        func compter(_ note: Centiemes) {
            ligne.note = note
            ligne.compte = true
            ligne.points = note.valeur * coefficient
        }
        func produit(_ note: Centiemes) -> String {
            "\(note.affichage) × \(coefficient) = \(ecrirePoints(note.valeur * coefficient)) points"
        }

        if tri.dispenses.contains(unite.code) {
            ligne.statut = .dispensee
            ligne.explication = "\(titre) : dispensée, hors moyenne (coefficient \(coefficient) retiré)"
            return ligne
        }
        if let note = tri.session[unite.code] {
            let remplace = tri.anterieures[unite.code]?.max(by: { $0.obtenueLe < $1.obtenueLe }).map {
                " ; remplace la note \($0.note.affichage) de la session \($0.session) (la dernière note compte)"
            } ?? ""
            switch note {
            case .valeur(let valeur):
                compter(valeur)
                ligne.statut = valeur.valeur >= 1000 ? .obtenue : .nonObtenue
                ligne.explication = "\(titre) : \(produit(valeur)) ; "
                    + (valeur.valeur >= 1000 ? "unité obtenue" : "note < 10") + remplace
            case .absentJustifie:
                compter(Centiemes.minimum)
                ligne.statut = .absenceJustifiee
                ligne.explication = "\(titre) : ABJ, absence justifiée comptée 0 : \(produit(.minimum)) ; "
                    + "session de remplacement possible" + remplace
            case .absent:
                ligne.statut = .absente
                ligne.explication = "\(titre) : ABS, absence non justifiée : le diplôme ne peut pas être délivré" + remplace
            case .dispense:
                ligne.statut = .neutralisee
                ligne.explication = "\(titre) : DI, neutralisée, hors moyenne (coefficient \(coefficient) retiré)"
            case .nonSaisie:
                ligne.statut = .nonSaisie
                ligne.explication = "\(titre) : NN, note non saisie : la décision l'attend"
            }
            return ligne
        }
        guard let derniere = tri.anterieures[unite.code]?.max(by: { $0.obtenueLe < $1.obtenueLe }) else {
            ligne.explication = "\(titre) : "
                + (situation.forme == .progressive ? "non passée, à présenter à une session ultérieure"
                                                   : "aucun résultat (forme globale : toutes les unités à cette session)")
            return ligne
        }
        let limite = derniere.obtenueLe.ajoutantAnnees(anneesDeValidite)
        let origine = "de la session \(derniere.session) (obtenue le \(derniere.obtenueLe.affichage), valable jusqu'au \(limite.affichage))"
        ligne.sessionDOrigine = derniere.session
        ligne.obtenueLe = derniere.obtenueLe
        ligne.valableJusquAu = limite
        let valide = situation.session.date <= limite
        let suite = situation.forme == .progressive ? "à présenter à une session ultérieure" : "aucun résultat à cette session"
        if !valide {
            ligne.explication = "\(titre) : la note \(derniere.note.affichage) \(origine) a plus de \(anneesDeValidite) ans "
                + "au \(situation.session.date.affichage) : elle ne compte plus ; \(suite)"
        } else if derniere.note.valeur >= 1000 {
            compter(derniere.note)
            ligne.statut = .beneficeReporte
            ligne.explication = "\(titre) : \(produit(derniere.note)) ; bénéfice reporté \(origine)"
        } else if situation.forme == .progressive {
            compter(derniere.note)
            ligne.statut = .noteReportee
            ligne.explication = "\(titre) : \(produit(derniere.note)) ; note < 10 reportée \(origine)"
        } else {
            ligne.explication = "\(titre) : la note \(derniere.note.affichage) \(origine) est < 10 : "
                + "elle ne se reporte pas en forme globale ; aucun résultat à cette session"
        }
        return ligne
    }

    /// The facultative unit the candidate took, if any: only its points above 10 count.
    private static func ligneFacultative(_ bareme: Bareme, _ tri: ResultatsParUnite, _ situation: Situation) -> [LigneUnite] {
        guard let unite = bareme.unites.first(where: { $0.facultative && tri.session[$0.code] != nil }),
              let note = tri.session[unite.code]
        else { return [] }
        let titre = "\(unite.code) \(unite.libelle) (facultative)"
        var ligne = LigneUnite(
            unite: unite.code, libelle: unite.libelle, coefficient: nil, facultative: true,
            statut: .nonSaisie, note: nil, compte: false, points: 0, explication: "")
        switch note {
        case .valeur(let valeur):
            let points = max(0, valeur.valeur - 1000)
            ligne.note = valeur
            ligne.compte = true
            ligne.points = points
            ligne.statut = valeur.valeur >= 1000 ? .obtenue : .nonObtenue
            ligne.explication = "\(titre) : \(valeur.affichage) ; "
                + (points > 0 ? "\(ecrirePoints(points)) point\(points >= 200 ? "s" : "") au-dessus de 10 ajouté\(points >= 200 ? "s" : "") au total"
                              : "aucun point ajouté (seuls les points au-dessus de 10 comptent)")
        case .absent:
            ligne.statut = .absente
            ligne.explication = "\(titre) : ABS ; sans effet (épreuve facultative)"
        case .absentJustifie:
            ligne.statut = .absenceJustifiee
            ligne.explication = "\(titre) : ABJ ; sans effet (épreuve facultative)"
        case .dispense:
            ligne.statut = .neutralisee
            ligne.explication = "\(titre) : DI, neutralisée ; sans effet"
        case .nonSaisie:
            ligne.statut = .nonSaisie
            ligne.explication = "\(titre) : NN, note non saisie : la décision l'attend"
        }
        return [ligne]
    }
}
