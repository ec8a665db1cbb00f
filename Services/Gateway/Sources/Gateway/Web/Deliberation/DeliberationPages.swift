import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The deliberation pages. Today the simulation: a spécialité of a session, a candidate's
/// situation typed in unit by unit (grade or ABS/ABJ/DI/NN, dispense, earlier grade), the form
/// and the day; the service's engine answers the decision, the average and the whole reasoning.
/// Nothing is stored: what the jury uses for « what if », what the gestionnaire uses to answer a
/// candidate's question. Works as a plain form, without JavaScript.
///
/// | page | who |
/// |---|---|
/// | `/deliberation/simulation` (GET: choose the session and spécialité; POST: deliberate) | gestionnaire, président de jury, admin |
struct DeliberationPages: Sendable {
    let directory: ServiceDirectory
    let renderer: WebRenderer

    var deliberation: ServiceClient { ServiceClient(directory: directory, service: "deliberation", timeout: .seconds(8)) }

    // MARK: What the service answers

    struct Baremes: Decodable {
        var versionReglement: Int
        var items: [Specialite]

        struct Specialite: Decodable {
            var specialite: String
            var libelle: String
            var bareme: Bareme
        }

        struct Bareme: Decodable { var unites: [Unite] }

        struct Unite: Decodable {
            var code: String
            var libelle: String
            var coefficient: Int?
            var facultative: Bool
            var groupeOption: String?
        }
    }

    struct Simulation: Decodable {
        var decision: String
        var moyenne: String?
        var deliberation: Detail

        struct Detail: Decodable {
            var decision: String
            var explication: [String]
        }
    }

    // MARK: Pages

    struct Choix {
        var valeur: String
        var libelle: String
        var choisi: Bool
    }

    struct LigneUnite {
        var code: String
        var libelle: String
        var coefficient: String
        var groupe: String?
        var note: String
        var dispense: Bool
        var anterieure: String
        var anterieureSession: String
        var anterieureDate: String
        var erreur: String?
    }

    struct Resultat {
        var decision: String
        var moyenne: String?
        var admis: Bool
        var explication: [String]
    }

    struct SimulationPage {
        var sessions: [Choix]
        var session: String
        var specialites: [Choix]
        /// Stored: the templates see stored properties only.
        var aDesSpecialites = false
        var specialite: String?
        var libelleSpecialite: String?
        var formes: [Choix]
        var date: String
        var unites: [LigneUnite]
        var resultat: Resultat?
        var refus: String?
        var erreurDate: String?
    }

    /// What the form sent (or the empty form).
    struct Saisie {
        var forme = "globale"
        var date = ""
        var unites: [String: (note: String, dispense: Bool, anterieure: String, session: String, le: String)] = [:]
    }

    func add(to web: RouterGroup<ServiceRequestContext>) {
        web.get("deliberation/simulation") { request, context -> Response in
            let caller = try context.caller()
            let session = request.uri.queryParameters.get("session") ?? ""
            let specialite = request.uri.queryParameters.get("specialite")
            return try await page(session: session, specialite: specialite, saisie: Saisie(), caller, request, context)
        }

        web.post("deliberation/simulation") { request, context -> Response in
            let caller = try context.caller()
            let form = try await WebForm.read(request)
            let session = form.raw("session"), specialite = form.raw("specialite")
            var saisie = Saisie(forme: form.raw("forme"), date: form.raw("date").trimmingCharacters(in: .whitespaces))
            var lignes: [[String: Any]] = []
            var unitesDesLignes: [String] = []
            for code in form.all("unite") {
                let note = form.raw("note.\(code)").trimmingCharacters(in: .whitespaces)
                let dispense = form.raw("dispense.\(code)") == "oui"
                let anterieure = form.raw("anterieure.\(code)").trimmingCharacters(in: .whitespaces)
                let origine = form.raw("anterieure-session.\(code)").trimmingCharacters(in: .whitespaces)
                let le = form.raw("anterieure-date.\(code)").trimmingCharacters(in: .whitespaces)
                saisie.unites[code] = (note, dispense, anterieure, origine, le)
                if !note.isEmpty { lignes.append(["unite": code, "note": note]); unitesDesLignes.append(code) }
                if dispense { lignes.append(["unite": code, "dispense": true]); unitesDesLignes.append(code) }
                if !anterieure.isEmpty || !origine.isEmpty || !le.isEmpty {
                    lignes.append(["unite": code, "anterieure": ["note": anterieure, "session": origine, "obtenueLe": le]])
                    unitesDesLignes.append(code)
                }
            }
            var corps: [String: Any] = ["specialite": specialite, "forme": saisie.forme, "resultats": lignes]
            if !saisie.date.isEmpty { corps["dateDeliberation"] = saisie.date }
            let answer = try await deliberation.appel(
                .post, "/sessions/\(Affichage.requete(session))/simulation", as: caller,
                contentType: "application/json", body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: corps)))
            guard answer.status == .ok else {
                let refus = deliberation.refus(answer)
                var erreurs: [String: String] = [:]
                var erreurDate: String?
                for detail in refus.details {
                    if detail.location == "dateDeliberation" { erreurDate = detail.message }
                    if let index = Self.index(detail.location), index < unitesDesLignes.count {
                        erreurs[unitesDesLignes[index]] = detail.message
                    }
                }
                return try await page(
                    session: session, specialite: specialite, saisie: saisie, caller, request, context,
                    refus: refus.message, erreurs: erreurs, erreurDate: erreurDate,
                    status: refus.status.code < 500 ? .unprocessableContent : refus.status)
            }
            let simulation = try deliberation.decode(Simulation.self, answer)
            return try await page(
                session: session, specialite: specialite, saisie: saisie, caller, request, context,
                resultat: Resultat(decision: simulation.decision, moyenne: simulation.moyenne,
                                   admis: simulation.deliberation.decision == "admis", explication: simulation.deliberation.explication))
        }
    }

    /// `resultats[3]` → 3.
    static func index(_ location: String) -> Int? {
        guard location.hasPrefix("resultats["), let fin = location.firstIndex(of: "]") else { return nil }
        return Int(location[location.index(location.startIndex, offsetBy: "resultats[".count)..<fin])
    }

    private func page(
        session: String, specialite: String?, saisie: Saisie, _ caller: InternalIdentity, _ request: Request,
        _ context: ServiceRequestContext, resultat: Resultat? = nil, refus: String? = nil, erreurs: [String: String] = [:],
        erreurDate: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let ouvertes = await ServiceClient.sessionsOuvertes(directory)
        var page = SimulationPage(
            sessions: ouvertes.map { Choix(valeur: $0.code, libelle: "\($0.libelle) (\($0.code))", choisi: $0.code == session) },
            session: session, specialites: [], specialite: nil, libelleSpecialite: nil,
            formes: [("globale", "Forme globale"), ("progressive", "Forme progressive")].map {
                Choix(valeur: $0.0, libelle: $0.1, choisi: $0.0 == saisie.forme)
            },
            date: saisie.date, unites: [], resultat: resultat, refus: refus, erreurDate: erreurDate)
        var status = status
        if !session.isEmpty {
            do {
                let baremes = try await deliberation.lire(Baremes.self, "/sessions/\(Affichage.requete(session))/baremes", as: caller)
                page.specialites = baremes.items.map { Choix(valeur: $0.specialite, libelle: $0.libelle, choisi: $0.specialite == specialite) }
                page.aDesSpecialites = !page.specialites.isEmpty
                if let choisie = baremes.items.first(where: { $0.specialite == specialite }) {
                    page.specialite = choisie.specialite
                    page.libelleSpecialite = choisie.libelle
                    page.unites = choisie.bareme.unites.map { unite in
                        let saisi = saisie.unites[unite.code]
                        return LigneUnite(
                            code: unite.code, libelle: unite.libelle,
                            coefficient: unite.facultative ? "facultative" : unite.coefficient.map(String.init) ?? "",
                            groupe: unite.groupeOption.map { "option de \($0)" },
                            note: saisi?.note ?? "", dispense: saisi?.dispense ?? false, anterieure: saisi?.anterieure ?? "",
                            anterieureSession: saisi?.session ?? "", anterieureDate: saisi?.le ?? "", erreur: erreurs[unite.code])
                    }
                } else if let specialite, !specialite.isEmpty {
                    page.refus = page.refus ?? "La spécialité « \(specialite) » n'est pas au règlement de cette session."
                }
            } catch {
                page.refus = page.refus ?? error.message
                if status == .ok { status = error.status.code == 404 ? .notFound : error.status }
            }
        }
        return await renderer.render(
            "deliberation-simulation", titre: "Simulation de délibération", page: page, request: request, context: context, status: status)
    }
}
