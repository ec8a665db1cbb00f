import Domain

extension Moteur {
    /// From the lines to the decision, in this order: a missing grade (NN) waits; a candidate
    /// who sat nothing this session is absent; units left to sit keep a progressive candidate
    /// « en cours »; a unit without result leaves a global candidate « incomplet »; an ABS at a
    /// compulsory unit adjourns; otherwise the exact average against 10.
    static func conclure(_ situation: Situation, _ bareme: Bareme, _ lignes: [LigneUnite]) throws(DomainError) -> Deliberation {
        let obligatoires = lignes.filter { !$0.facultative }
        let aCetteSession = lignes.filter { [.obtenue, .nonObtenue, .absente, .absenceJustifiee].contains($0.statut) }
        let absences = obligatoires.filter { $0.statut == .absente }.map(\.unite)
        let nonPassees = obligatoires.filter { $0.statut == .nonPassee }.map(\.unite)
        let attendues = lignes.filter { $0.statut == .nonSaisie }.map(\.unite)

        var resultat = Deliberation(
            candidat: situation.candidat, specialite: bareme.specialite, session: situation.session.code,
            forme: situation.forme, decision: .incomplet, moyenne: nil, absencesBloquantes: [], unites: lignes,
            acquis: [], reportables: [], attestationDeReussite: false, sessionDeRemplacement: false,
            unitesARemplacer: [], pointsDeJury: nil, explication: [])
        var motif: String

        if !attendues.isEmpty {
            resultat.decision = .incomplet
            motif = "notes non saisies (\(attendues.joined(separator: ", "))) : la décision attend ces notes"
        } else if !aCetteSession.isEmpty, aCetteSession.allSatisfy({ $0.note == nil || $0.statut == .absenceJustifiee }) {
            resultat.decision = .absent
            motif = "absent à toutes les épreuves présentées à cette session (\(aCetteSession.map(\.unite).joined(separator: ", ")))"
        } else if !nonPassees.isEmpty && situation.forme == .progressive {
            resultat.decision = .enCours
            motif = "forme progressive : unités encore à présenter (\(nonPassees.joined(separator: ", "))) ; "
                + "la décision sera prise quand la dernière unité aura été passée"
        } else if !nonPassees.isEmpty {
            resultat.decision = .incomplet
            motif = "forme globale : unités sans résultat à compter (\(nonPassees.joined(separator: ", ")))"
        } else if !absences.isEmpty {
            resultat.decision = .ajourne
            resultat.absencesBloquantes = absences
            motif = "absence non justifiée à \(absences.joined(separator: ", ")) : le diplôme ne peut pas être délivré"
        } else {
            let coefficients = obligatoires.filter(\.compte).reduce(0) { $0 + ($1.coefficient ?? 0) }
            let points = lignes.filter(\.compte).reduce(0) { $0 + $1.points }
            guard let moyenne = Moyenne(points: points, coefficients: coefficients) else {
                throw ErreurDeliberation.aucuneUniteNotee()
            }
            resultat.moyenne = moyenne
            resultat.decision = moyenne.atteintDix ? .admis : .ajourne
            motif = moyenne.atteintDix ? "moyenne ≥ 10" : "moyenne < 10"
            if !moyenne.atteintDix { resultat.pointsDeJury = pointsDeJury(lignes, moyenne) }
        }

        if resultat.decision != .admis {
            resultat.acquis = acquis(obligatoires, situation)
            if situation.forme == .progressive { resultat.reportables = reportables(obligatoires, situation) }
            resultat.unitesARemplacer = obligatoires.filter { $0.statut == .absenceJustifiee }.map(\.unite)
            resultat.sessionDeRemplacement = !resultat.unitesARemplacer.isEmpty
        }
        resultat.attestationDeReussite = [.ajourne, .enCours].contains(resultat.decision)
            && obligatoires.contains { $0.statut == .obtenue }
        resultat.explication = explication(situation, bareme, resultat, motif: motif)
        return resultat
    }

    /// Units obtained at this session, and valid bénéfices carried, with their validity.
    private static func acquis(_ obligatoires: [LigneUnite], _ situation: Situation) -> [UniteAcquise] {
        obligatoires.compactMap { ligne in
            guard let note = ligne.note else { return nil }
            switch ligne.statut {
            case .obtenue: return aCetteSession(ligne.unite, note, situation)
            case .beneficeReporte: return anterieure(ligne, note)
            default: return nil
            }
        }
    }

    /// Forme progressive: grades < 10 (of this session, or carried and still valid) he may carry again.
    private static func reportables(_ obligatoires: [LigneUnite], _ situation: Situation) -> [UniteAcquise] {
        obligatoires.compactMap { ligne in
            guard let note = ligne.note else { return nil }
            switch ligne.statut {
            case .nonObtenue: return aCetteSession(ligne.unite, note, situation)
            case .noteReportee: return anterieure(ligne, note)
            default: return nil
            }
        }
    }

    private static func aCetteSession(_ unite: String, _ note: Centiemes, _ situation: Situation) -> UniteAcquise {
        UniteAcquise(
            unite: unite, note: note, session: situation.session.code, obtenueLe: situation.session.date,
            valableJusquAu: situation.session.date.ajoutantAnnees(anneesDeValidite))
    }

    private static func anterieure(_ ligne: LigneUnite, _ note: Centiemes) -> UniteAcquise? {
        guard let session = ligne.sessionDOrigine, let obtenueLe = ligne.obtenueLe, let limite = ligne.valableJusquAu else {
            return nil
        }
        return UniteAcquise(unite: ligne.unite, note: note, session: session, obtenueLe: obtenueLe, valableJusquAu: limite)
    }
}
