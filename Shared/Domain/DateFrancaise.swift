import Foundation

/// Days, times, instants and durations written the French way, for every page and document.
///
/// Pure functions over values (no shared `DateFormatter`): safe from any task. Texts that are
/// not of the expected form come back as they came (or `nil` where the caller says what to show).
public enum DateFrancaise {
    /// Metropolitan French time, where the division des examens works.
    public static let paris = TimeZone(identifier: "Europe/Paris") ?? .current

    private static let calendrierParis: Calendar = {
        var calendrier = Calendar(identifier: .gregorian)
        calendrier.timeZone = paris
        return calendrier
    }()

    /// `2027-06-09` → `09/06/2027`; a text that is not three parts joined by `-` as it came.
    public static func jour(_ iso: String) -> String {
        let parties = iso.split(separator: "-")
        guard parties.count == 3 else { return iso }
        return "\(parties[2])/\(parties[1])/\(parties[0])"
    }

    /// `09:00` → `9 h 00`; a text that is not `HH:MM` as it came.
    public static func heure(_ hhmm: String) -> String {
        let parties = hhmm.split(separator: ":")
        guard parties.count == 2, let heures = Int(parties[0]) else { return hhmm }
        return "\(heures) h \(parties[1])"
    }

    /// A sitting's wall-clock start `2027-06-09T09:00` → `09/06/2027 à 09:00`; nil when the text
    /// is not such a start (an undated sitting, whose caller says so in its own words).
    public static func seance(_ cle: String) -> String? {
        guard cle.count == 16, cle.dropFirst(10).first == "T" else { return nil }
        let parties = cle.prefix(10).split(separator: "-")
        guard parties.count == 3 else { return nil }
        return "\(parties[2])/\(parties[1])/\(parties[0]) à \(cle.suffix(5))"
    }

    /// A convocation's wall-clock start `2027-06-09T09:00` → `09/06/2027 9 h 00`; `à fixer`
    /// when there is none yet.
    public static func horaire(_ iso: String?) -> String {
        guard let iso, iso.count >= 16 else { return "à fixer" }
        return "\(jour(String(iso.prefix(10)))) \(heure(String(iso.suffix(5))))"
    }

    /// An instant in Paris time: `14/03/2027 à 09:30`.
    public static func instant(_ date: Date) -> String {
        let c = calendrierParis.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%02d/%02d/%04d à %02d:%02d",
                      c.day ?? 0, c.month ?? 0, c.year ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// The day of an instant in Paris time, `2027-03-14`.
    public static func jourISO(_ date: Date) -> String {
        let c = calendrierParis.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// An ISO 8601 instant (`2027-03-14T08:30:00Z`, fractional seconds allowed) in Paris time,
    /// `14/03/2027 à 09:30`; a text that is not such an instant as it came.
    public static func instant(iso texte: String) -> String {
        // A formatter of this call's own: never shared between tasks.
        let lecteur = ISO8601DateFormatter()
        if let date = lecteur.date(from: texte) { return instant(date) }
        lecteur.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = lecteur.date(from: texte) { return instant(date) }
        return texte
    }

    /// The UTC day and time of a stored ISO 8601 instant, said to be UTC, as the generated
    /// documents print it: `2027-01-15T09:30:00Z` → `15/01/2027 à 09:30 (UTC)`; a shorter text as it came.
    public static func instantUTC(_ iso: String) -> String {
        guard iso.count >= 16 else { return iso }
        return "\(jour(String(iso.prefix(10)))) à \(iso.dropFirst(11).prefix(5)) (UTC)"
    }

    /// A duration in minutes (positive, as réglementation keeps them): `150` → `2 h 30`,
    /// `120` → `2 h`, `45` → `45 min`.
    public static func duree(_ minutes: Int) -> String {
        if minutes < 60 { return "\(minutes) min" }
        return minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes / 60) h \(String(format: "%02d", minutes % 60))"
    }
}
