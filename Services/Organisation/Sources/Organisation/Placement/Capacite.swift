/// What candidates of one sitting (a centre at one date and time) need from its rooms: a room of
/// his own for each candidate granted `salle_separee`; rooms of their own for candidates with
/// extra time (they finish later, together); the other rooms for everyone else.
struct Besoin: Sendable, Hashable {
    var separees = 0
    var majores = 0
    var ordinaires = 0

    var total: Int { separees + majores + ordinaires }

    static func + (a: Besoin, b: Besoin) -> Besoin {
        Besoin(separees: a.separees + b.separees, majores: a.majores + b.majores, ordinaires: a.ordinaires + b.ordinaires)
    }

    static func - (a: Besoin, b: Besoin) -> Besoin {
        Besoin(separees: a.separees - b.separees, majores: a.majores - b.majores, ordinaires: a.ordinaires - b.ordinaires)
    }

    /// The need of one candidate.
    static func candidat(salleSeparee: Bool, majoration: Int) -> Besoin {
        if salleSeparee { return Besoin(separees: 1) }
        if majoration > 0 { return Besoin(majores: 1) }
        return Besoin(ordinaires: 1)
    }
}

/// How the rooms of a centre are shared at one sitting, or why they cannot hold its candidates.
/// Rooms are taken smallest first for separate rooms and for extra time, so that the large rooms
/// stay for the many; the same rule decides the automatic assignment (can this centre take one
/// more?) and the seating (which room for whom), so a centre assigned is a centre that can seat.
struct Repartition: Sendable, Equatable {
    enum Usage: Sendable, Equatable { case separee, majores, ordinaires, libre }

    /// Per room, in the centre's order: what it is used for.
    var usages: [Usage]

    /// Why a need does not fit, in French, or nil when it does.
    enum Refus: Error, Sendable, Equatable {
        case salleSeparee(disponibles: Int, demandees: Int)
        case tempsMajore(places: Int, demandees: Int)
        case capacite(places: Int, demandees: Int)

        var message: String {
            switch self {
            case .salleSeparee(let disponibles, let demandees):
                "salle séparée : \(demandees) salle(s) à soi demandée(s), \(disponibles) salle(s) disponible(s)"
            case .tempsMajore(let places, let demandees):
                "temps majoré : \(demandees) candidat(s) à loger dans des salles à part, \(places) place(s) disponible(s)"
            case .capacite(let places, let demandees):
                "capacité atteinte : \(demandees) candidat(s) pour \(places) place(s)"
            }
        }
    }

    /// The sharing of `places` (the rooms' seats, in the centre's order) for `besoin`.
    static func calculer(places: [Int], besoin: Besoin) -> Result<Repartition, Refus> {
        var usages = [Usage](repeating: .libre, count: places.count)
        let parTaille = places.indices.filter { places[$0] > 0 }.sorted { (places[$0], $0) < (places[$1], $1) }
        guard parTaille.count >= besoin.separees else {
            return .failure(.salleSeparee(disponibles: parTaille.count, demandees: besoin.separees))
        }
        for index in parTaille.prefix(besoin.separees) { usages[index] = .separee }
        var reste = Array(parTaille.dropFirst(besoin.separees))
        var majores = 0
        while majores < besoin.majores, !reste.isEmpty {
            // Extra-time candidates waste as few seats as possible: the smallest room that holds
            // them all, or the smallest rooms together, whichever leaves fewer seats empty; when no
            // room holds them all, the largest one and go on.
            let manque = besoin.majores - majores
            var cumul = 0
            let petites = Array(reste.prefix { index in
                defer { cumul += places[index] }
                return cumul < manque
            })
            let petitesPlaces = petites.reduce(0) { $0 + places[$1] }
            let prises: [Int]
            if let seule = reste.first(where: { places[$0] >= manque }) {
                prises = petitesPlaces >= manque && petitesPlaces < places[seule] ? petites : [seule]
            } else {
                prises = [reste.last!]
            }
            for index in prises {
                usages[index] = .majores
                majores += places[index]
            }
            reste.removeAll { prises.contains($0) }
        }
        guard majores >= besoin.majores else {
            return .failure(.tempsMajore(places: majores, demandees: besoin.majores))
        }
        let ordinaires = reste.reduce(0) { $0 + places[$1] }
        guard ordinaires >= besoin.ordinaires else {
            return .failure(.capacite(places: ordinaires, demandees: besoin.ordinaires))
        }
        for index in reste where besoin.ordinaires > 0 { usages[index] = .ordinaires }
        return .success(Repartition(usages: usages))
    }

    /// The seats left for ordinary candidates once `besoin` is seated, or nil when it does not fit:
    /// what a centre still offers (a room given to one extra-time candidate is lost to the others).
    static func placesLibres(places: [Int], besoin: Besoin) -> Int? {
        guard case .success(let repartition) = calculer(places: places, besoin: besoin) else { return nil }
        var libres = -besoin.ordinaires
        for (index, usage) in repartition.usages.enumerated() where usage == .ordinaires || usage == .libre { libres += places[index] }
        return libres
    }

    static func tient(places: [Int], besoin: Besoin) -> Bool {
        if besoin.total == 0 { return true }
        if case .success = calculer(places: places, besoin: besoin) { return true }
        return false
    }
}
