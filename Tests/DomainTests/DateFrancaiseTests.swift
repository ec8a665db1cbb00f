import Domain
import Foundation
import Testing

@Suite("DateFrancaise")
struct DateFrancaiseTests {
    @Test("a day: 2027-06-09 → 09/06/2027; anything else as it came", arguments: [
        ("2027-06-09", "09/06/2027"), ("2027-6-9", "9/6/2027"), ("1990-01-31", "31/01/1990"),
        ("", ""), ("à fixer", "à fixer"), ("2027-06", "2027-06"), ("2027-06-09-01", "2027-06-09-01"),
    ])
    func jour(iso: String, attendu: String) {
        #expect(DateFrancaise.jour(iso) == attendu)
    }

    @Test("a time: 09:00 → 9 h 00, 14:30 → 14 h 30; anything else as it came", arguments: [
        ("09:00", "9 h 00"), ("14:30", "14 h 30"), ("00:05", "0 h 05"), ("9h", "9h"), ("ab:00", "ab:00"), ("", ""),
    ])
    func heure(hhmm: String, attendu: String) {
        #expect(DateFrancaise.heure(hhmm) == attendu)
    }

    @Test("the day of an instant in Paris: 23:30 UTC on 30 June 2027 is already 1 July in Paris")
    func jourISO() {
        #expect(DateFrancaise.jourISO(Date(timeIntervalSince1970: 1_814_398_200)) == "2027-07-01")
        #expect(DateFrancaise.jourISO(Date(timeIntervalSince1970: 1_814_391_000)) == "2027-06-30")
    }

    @Test("a sitting's start: 2027-06-09T09:00 → 09/06/2027 à 09:00; nil when it is not one")
    func seance() {
        #expect(DateFrancaise.seance("2027-06-09T09:00") == "09/06/2027 à 09:00")
        #expect(DateFrancaise.seance("2027-06-09T14:30") == "09/06/2027 à 14:30")
        #expect(DateFrancaise.seance("BPBOUL/U20") == nil)
        #expect(DateFrancaise.seance("2027-06-09 09:00") == nil)
        #expect(DateFrancaise.seance("2027-06-09T09:00:00") == nil)
        #expect(DateFrancaise.seance("") == nil)
    }

    @Test("a convocation's start: 2027-06-09T09:00 → 09/06/2027 9 h 00; none yet → à fixer")
    func horaire() {
        #expect(DateFrancaise.horaire("2027-06-09T09:00") == "09/06/2027 9 h 00")
        #expect(DateFrancaise.horaire("2027-06-09T14:30") == "09/06/2027 14 h 30")
        #expect(DateFrancaise.horaire(nil) == "à fixer")
        #expect(DateFrancaise.horaire("2027-06-09") == "à fixer")
    }

    @Test("an instant in Paris time, winter (UTC+1) and summer (UTC+2)")
    func instant() {
        #expect(DateFrancaise.instant(Date(timeIntervalSince1970: 1_805_013_000)) == "14/03/2027 à 09:30")  // 08:30Z
        #expect(DateFrancaise.instant(Date(timeIntervalSince1970: 1_812_524_400)) == "09/06/2027 à 09:00")  // 07:00Z
        // 23:30Z on 31 December is already the next year in Paris.
        #expect(DateFrancaise.instant(Date(timeIntervalSince1970: 1_830_295_800)) == "01/01/2028 à 00:30")
    }

    @Test("an instant reads like the fr_FR formatter it replaces, across clock changes")
    func instantCommeLeFormateur() {
        let formateur = DateFormatter()
        formateur.locale = Locale(identifier: "fr_FR")
        formateur.timeZone = TimeZone(identifier: "Europe/Paris")
        formateur.dateFormat = "dd/MM/yyyy 'à' HH:mm"
        // Every 17 minutes 31 seconds over three years: both clock changes of each year included.
        var t = 1_798_761_600.0  // 2027-01-01T00:00:00Z
        while t < 1_893_456_000 {  // 2030-01-01T00:00:00Z
            let date = Date(timeIntervalSince1970: t)
            #expect(DateFrancaise.instant(date) == formateur.string(from: date), "\(date)")
            t += 1_051
        }
    }

    @Test("an ISO 8601 instant, with or without fractional seconds, in Paris time; anything else as it came")
    func instantISO() {
        #expect(DateFrancaise.instant(iso: "2027-03-14T08:30:00Z") == "14/03/2027 à 09:30")
        #expect(DateFrancaise.instant(iso: "2027-03-14T08:30:00.123Z") == "14/03/2027 à 09:30")
        #expect(DateFrancaise.instant(iso: "2027-06-09T09:00:00+02:00") == "09/06/2027 à 09:00")
        #expect(DateFrancaise.instant(iso: "2027-03-14") == "2027-03-14")
        #expect(DateFrancaise.instant(iso: "hier") == "hier")
    }

    @Test("a stored instant as the documents print it, in UTC and said so")
    func instantUTC() {
        #expect(DateFrancaise.instantUTC("2027-01-15T09:30:00Z") == "15/01/2027 à 09:30 (UTC)")
        #expect(DateFrancaise.instantUTC("2027-01-15T09:30:00.250Z") == "15/01/2027 à 09:30 (UTC)")
        #expect(DateFrancaise.instantUTC("2027-01-15") == "2027-01-15")
    }

    @Test("a duration: minutes under an hour, whole hours, hours and minutes", arguments: [
        (1, "1 min"), (45, "45 min"), (59, "59 min"), (60, "1 h"), (65, "1 h 05"), (150, "2 h 30"), (240, "4 h"), (600, "10 h"),
    ])
    func duree(minutes: Int, attendu: String) {
        #expect(DateFrancaise.duree(minutes) == attendu)
    }

    @Test("formatting from many tasks at once gives the same text")
    func concurrence() async {
        let date = Date(timeIntervalSince1970: 1_805_013_000)
        let textes = await withTaskGroup(of: String.self) { groupe in
            for _ in 0..<200 { groupe.addTask { DateFrancaise.instant(date) + DateFrancaise.instant(iso: "2027-03-14T08:30:00Z") } }
            return await groupe.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(textes == ["14/03/2027 à 09:3014/03/2027 à 09:30"])
    }
}
