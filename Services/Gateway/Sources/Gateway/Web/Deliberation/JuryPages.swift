import Domain
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The deliberation of a session, in pages: the gestionnaire prepares (missing grades, the
/// projected statistics, the juries and their candidates), opens and reopens juries; the
/// président de jury leads the projected sitting (anonymous until the closing: numéros only),
/// gives points de jury with their reasons, closes and signs; both download the PV.
/// Everything goes through the délibération service, which checks every rule and scope.
///
/// | page | who |
/// |---|---|
/// | `/deliberation/jurys?session=…` (GET) | gestionnaire, admin |
/// | `/deliberation/jurys` (POST: create), `/deliberation/jurys/modification`, `/deliberation/jurys/repartition`, `/deliberation/jurys/ouverture`, `/deliberation/jurys/reouverture` | gestionnaire |
/// | `/deliberation/seance?session=…&jury=…[&candidat=…]` (GET), `/deliberation/seance/intervention`, `/deliberation/seance/cloture` (POST) | président (his juries), gestionnaire (reads) |
/// | `/deliberation/pv?session=…&jury=…` | gestionnaire, admin, président (his juries), chef de centre (his centre's) |
/// | `/centre-deliberation` | chef de centre: the juries of his centre in the open sessions |
struct JuryPages: Sendable {
    let directory: ServiceDirectory
    let renderer: WebRenderer

    var deliberation: ServiceClient { ServiceClient(directory: directory, service: "deliberation", timeout: .seconds(20)) }

    // MARK: What the service answers

    struct Jury: Decodable {
        var code: String
        var specialite: String
        var centre: String?
        var date: String?
        var president: String
        var membres: [Membre]
        var etat: String
        var versionPV: Int
        var candidats: Int
        var avertissements: [String]
    }

    struct Manquantes: Decodable {
        var candidats: Int
        var complets: Int
        var parUnite: [ParUnite]
        struct ParUnite: Decodable { var unite: String; var manquantes: Int }
    }

    struct Statistiques: Decodable {
        var parDecision: [Effectif]
        var parSpecialite: [Taux]
        struct Effectif: Decodable { var cle: String; var effectif: Int }
        struct Taux: Decodable { var cle: String; var candidats: Int; var admis: Int; var taux: String }
    }

    struct Seance: Decodable {
        var jury: Jury
        var identitesVisibles: Bool
        var candidats: [Candidat]
    }

    struct Candidat: Decodable {
        var numero: String
        var decision: String
        var libelleDecision: String
        var moyenne: String?
        var limite: Bool
        var explicationPoints: String?
        var decisionDuJury: Bool
        var interventions: [Intervention]
        var unites: [Unite]
        var manques: [Manque]
        var nom: String?
    }

    struct Membre: Decodable { var nom: String; var qualite: String }
    struct Intervention: Decodable { var unite: String; var note: Int?; var motif: String }
    struct Unite: Decodable { var unite: String; var coefficient: Int?; var note: String?; var libelleStatut: String }
    struct Manque: Decodable { var unite: String; var motif: String }

    // MARK: Pages

    struct LigneJury {
        var code: String
        var specialite: String
        var president: String
        var date: String
        /// The form's values: the day as typed (`AAAA-MM-JJ`), the centre's UAI, one member a line.
        var dateSaisie: String
        var centre: String
        var membres: String
        var candidats: Int
        var etat: String
        var classeEtat: String
        var avertissements: [String]
        var seance: String
        var pv: String
        var ouvrable: Bool
        var rouvrable: Bool
    }

    struct JurysPage {
        var session: String
        var succes: String?
        var refus: String?
        var candidats: Int
        var complets: Int
        var manquantes: [Manquantes.ParUnite]
        var decisions: [Statistiques.Effectif]
        var taux: [Statistiques.Taux]
        var jurys: [LigneJury]
        var aDesJurys: Bool
        var modifiable: Bool
    }

    /// A row of the projected table. No optional here: a template looks a missing value up in
    /// the page around it (the page's `jury` code would fill an empty cell).
    struct LigneSeance {
        var rang: Int
        var numero: String
        var nom: String
        var moyenne: String
        var decision: String
        var classe: String
        var points: String
        var intervention: String
        var lien: String
        var choisi: Bool
    }

    struct Detail {
        var numero: String
        var nom: String?
        var decision: String
        var moyenne: String
        var points: String?
        var unites: [Unite]
        var manques: [Manque]
        var interventions: [String]
        var unitesRelevables: [String]
        var ajourne: Bool
    }

    struct SeancePage {
        var session: String
        var jury: String
        var titre: String
        var etat: String
        var clos: Bool
        var ouvert: Bool
        var identites: Bool
        var lignes: [LigneSeance]
        var detail: Detail?
        var succes: String?
        var refus: String?
        var pv: String
        /// Points de jury and decisions: the président only.
        var president: Bool
        /// Closing: the président, or the chef de centre of the jury's centre.
        var peutClore: Bool
        var resume: String
    }

    struct CentrePage {
        var jurys: [LigneJury]
        var vide: Bool
    }

    func add(to web: RouterGroup<ServiceRequestContext>) {
        web.get("deliberation/jurys") { request, context -> Response in
            let caller = try context.caller()
            return await jurys(request.uri.queryParameters.get("session") ?? "", caller, request, context)
        }

        // Creation (POST …/jurys) and, in preparation, change of the centre, day and composition
        // (PUT …/jurys/{code}): one form's fields, one body.
        for (chemin, modification) in [("deliberation/jurys", false), ("deliberation/jurys/modification", true)] {
            web.post(RouterPath(chemin)) { request, context -> Response in
                let caller = try context.caller()
                let form = try await WebForm.read(request)
                let session = form.raw("session")
                let code = form.raw("code")
                let corps: [String: Any] = [
                    "code": code, "specialite": form.raw("specialite"), "president": form.raw("president"),
                    "date": form.raw("date"), "centre": form.raw("centre"), "membres": Self.membres(form.raw("membres")),
                ]
                let base = "/sessions/\(Affichage.requete(session))/jurys"
                let answer = try await deliberation.appel(
                    modification ? .put : .post, modification ? "\(base)/\(Affichage.requete(code))" : base, as: caller,
                    contentType: "application/json", body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: corps)))
                if (200..<300).contains(answer.status.code) {
                    return await jurys(session, caller, request, context,
                                       succes: "Jury \(code.uppercased()) \(modification ? "modifié" : "créé").")
                }
                let refus = deliberation.refus(answer)
                let detail = refus.details.map(\.message).joined(separator: " ")
                return await jurys(session, caller, request, context, refus: detail.isEmpty ? refus.message : detail,
                                   status: refus.status.code < 500 ? .unprocessableContent : refus.status)
            }
        }

        web.post("deliberation/jurys/repartition") { request, context -> Response in
            let caller = try context.caller()
            let session = try await WebForm.read(request).raw("session")
            struct Repartition: Decodable { var affectes: Int; var sansJury: [String: Int] }
            do throws(ServiceError) {
                let r = try await deliberation.lire(
                    Repartition.self, "/sessions/\(Affichage.requete(session))/jurys/repartition", as: caller, method: .post)
                let sans = r.sansJury.sorted { $0.key < $1.key }.map { "\($0.value) en \($0.key)" }
                return await jurys(session, caller, request, context,
                                   succes: "\(r.affectes) candidat(s) réparti(s)." + (sans.isEmpty ? "" : " Sans jury de leur spécialité : \(sans.joined(separator: ", "))."))
            } catch {
                return await jurys(session, caller, request, context, refus: error.message, status: error.status)
            }
        }

        for (action, libelle) in [("ouverture", "ouvert"), ("reouverture", "rouvert")] {
            web.post("deliberation/jurys/\(action)") { request, context -> Response in
                let caller = try context.caller()
                let form = try await WebForm.read(request)
                let (session, jury) = (form.raw("session"), form.raw("jury"))
                let motif = form.raw("motif").trimmingCharacters(in: .whitespacesAndNewlines)
                do throws(ServiceError) {
                    try await deliberation.envoyer(
                        .post, "/sessions/\(Affichage.requete(session))/jurys/\(Affichage.requete(jury))/\(action)", as: caller,
                        json: motif.isEmpty ? [String: String]() : ["motif": motif])
                    return await jurys(session, caller, request, context, succes: "Jury \(jury) \(libelle).")
                } catch {
                    let liste = error.details.prefix(10).map { "\($0.location) (\($0.message))" }.joined(separator: ", ")
                    return await jurys(session, caller, request, context, refus: error.message + (liste.isEmpty ? "" : " " + liste),
                                       status: error.status)
                }
            }
        }

        // The chef de centre's home: the juries of his centre in the open sessions (the service
        // lists his only).
        web.get("centre-deliberation") { request, context -> Response in
            let caller = try context.caller()
            var lignes: [LigneJury] = []
            for session in await ServiceClient.sessionsOuvertes(directory) {
                let liste = (try? await deliberation.lire(
                    ServiceClient.Liste<Jury>.self, "/sessions/\(Affichage.requete(session.code))/jurys", as: caller).items) ?? []
                lignes += liste.map { Self.ligne($0, session: session.code) }
            }
            return await renderer.render(
                "deliberation-centre", titre: "Jurys de mon centre", page: CentrePage(jurys: lignes, vide: lignes.isEmpty),
                request: request, context: context)
        }

        web.get("deliberation/seance") { request, context -> Response in
            let caller = try context.caller()
            let q = request.uri.queryParameters
            return await seance(q.get("session") ?? "", q.get("jury") ?? "", candidat: q.get("candidat"), caller, request, context)
        }

        web.post("deliberation/seance/intervention") { request, context -> Response in
            let caller = try context.caller()
            let form = try await WebForm.read(request)
            let (session, jury, numero) = (form.raw("session"), form.raw("jury"), form.raw("numero"))
            var corps = ["numero": numero, "motif": form.raw("motif")]
            if form.raw("objet") == "decision" {
                corps["decision"] = "admis"
            } else {
                corps["unite"] = form.raw("unite")
                corps["note"] = form.raw("note")
            }
            do throws(ServiceError) {
                try await deliberation.envoyer(
                    .post, "/sessions/\(Affichage.requete(session))/jurys/\(Affichage.requete(jury))/interventions", as: caller, json: corps)
                return await seance(session, jury, candidat: numero, caller, request, context, succes: "Intervention du jury enregistrée.")
            } catch {
                let details = error.details.map(\.message).joined(separator: " ")
                return await seance(session, jury, candidat: numero, caller, request, context,
                                    refus: details.isEmpty ? error.message : details, status: error.status)
            }
        }

        web.post("deliberation/seance/cloture") { request, context -> Response in
            let caller = try context.caller()
            let form = try await WebForm.read(request)
            let (session, jury) = (form.raw("session"), form.raw("jury"))
            guard form.raw("confirmation") == "oui" else {
                return await seance(session, jury, candidat: nil, caller, request, context,
                                    refus: "Cochez la confirmation : après la clôture, seul le gestionnaire peut rouvrir le jury.",
                                    status: .unprocessableContent)
            }
            struct Cloture: Decodable { var candidats: Int; var admis: Int; var versionPV: Int }
            do throws(ServiceError) {
                let c = try await deliberation.lire(
                    Cloture.self, "/sessions/\(Affichage.requete(session))/jurys/\(Affichage.requete(jury))/cloture", as: caller, method: .post)
                return await seance(session, jury, candidat: nil, caller, request, context,
                                    succes: "Jury clos : \(c.candidats) candidat(s), \(c.admis) admis. Procès-verbal version \(c.versionPV) signé.")
            } catch {
                return await seance(session, jury, candidat: nil, caller, request, context, refus: error.message, status: error.status)
            }
        }

        web.get("deliberation/pv") { request, context -> Response in
            let caller = try context.caller()
            let q = request.uri.queryParameters
            return try await deliberation.telechargement(
                "/sessions/\(Affichage.requete(q.get("session") ?? ""))/jurys/\(Affichage.requete(q.get("jury") ?? ""))/pv.pdf", as: caller)
        }
    }

    // MARK: Rendering

    private func jurys(
        _ session: String, _ caller: InternalIdentity, _ request: Request, _ context: ServiceRequestContext,
        succes: String? = nil, refus: String? = nil, status: HTTPResponse.Status = .ok
    ) async -> Response {
        let base = "/sessions/\(Affichage.requete(session))"
        var page = JurysPage(
            session: session, succes: succes, refus: refus, candidats: 0, complets: 0, manquantes: [], decisions: [], taux: [],
            jurys: [], aDesJurys: false, modifiable: caller.role == .gestionnaire)
        var status = status
        if !session.isEmpty {
            do throws(ServiceError) {
                let manquantes = try await deliberation.lire(Manquantes.self, "\(base)/notes-manquantes?taille=1", as: caller)
                let statistiques = try await deliberation.lire(Statistiques.self, "\(base)/statistiques", as: caller)
                let liste = try await deliberation.lire(ServiceClient.Liste<Jury>.self, "\(base)/jurys", as: caller).items
                page.candidats = manquantes.candidats
                page.complets = manquantes.complets
                page.manquantes = manquantes.parUnite
                page.decisions = statistiques.parDecision.filter { $0.effectif > 0 }
                page.taux = statistiques.parSpecialite
                page.jurys = liste.map { Self.ligne($0, session: session) }
                page.aDesJurys = !page.jurys.isEmpty
            } catch {
                page.refus = page.refus ?? error.message
                if status == .ok { status = error.status }
            }
        }
        return await renderer.render("deliberation-jurys", titre: "Délibérations", page: page, request: request, context: context, status: status)
    }

    private func seance(
        _ session: String, _ code: String, candidat: String?, _ caller: InternalIdentity, _ request: Request,
        _ context: ServiceRequestContext, succes: String? = nil, refus: String? = nil, status: HTTPResponse.Status = .ok
    ) async -> Response {
        let lien = "session=\(Affichage.requete(session))&jury=\(Affichage.requete(code))"
        var page = SeancePage(
            session: session, jury: code, titre: "Jury \(code)", etat: "", clos: false, ouvert: false, identites: false, lignes: [],
            detail: nil, succes: succes, refus: refus, pv: "/deliberation/pv?\(lien)", president: caller.role == .presidentJury,
            peutClore: caller.role == .presidentJury || caller.role == .chefCentre, resume: "")
        var status = status
        do throws(ServiceError) {
            let vue = try await deliberation.lire(
                Seance.self, "/sessions/\(Affichage.requete(session))/jurys/\(Affichage.requete(code))/seance", as: caller)
            page.titre = "Jury \(vue.jury.code) — \(vue.jury.specialite)"
            page.etat = Self.etat(vue.jury.etat)
            page.clos = vue.jury.etat == "clos"
            page.ouvert = vue.jury.etat == "ouvert"
            page.identites = vue.identitesVisibles
            let admis = vue.candidats.filter { $0.decision == "admis" }.count
            page.resume = "\(vue.candidats.count) candidat(s) — \(admis) admis"
            page.lignes = vue.candidats.enumerated().map { index, c in
                LigneSeance(
                    rang: index + 1, numero: c.numero, nom: c.nom ?? "", moyenne: c.moyenne ?? "—",
                    decision: c.libelleDecision + (c.decisionDuJury ? " (décision du jury)" : ""),
                    classe: c.decision == "admis" ? "admis" : c.limite ? "limite" : c.decision,
                    points: c.explicationPoints ?? "",
                    intervention: c.interventions.map { $0.unite.isEmpty ? "décision" : $0.unite }.joined(separator: ", "),
                    lien: "/deliberation/seance?\(lien)&candidat=\(Affichage.requete(c.numero))#detail", choisi: c.numero == candidat)
            }
            if let candidat, let c = vue.candidats.first(where: { $0.numero == candidat }) {
                page.detail = Detail(
                    numero: c.numero, nom: c.nom, decision: c.libelleDecision, moyenne: c.moyenne ?? "—", points: c.explicationPoints,
                    unites: c.unites, manques: c.manques,
                    interventions: c.interventions.map { i in
                        (i.unite.isEmpty ? "Décision : admis" : "\(i.unite) : \(i.note.flatMap { try? Centiemes($0).affichage } ?? "")") + " — \(i.motif)"
                    },
                    unitesRelevables: c.unites.filter { ($0.note ?? "").first?.isNumber == true }.map(\.unite),
                    ajourne: c.decision == "ajourne" && c.moyenne != nil)
            }
        } catch {
            page.refus = page.refus ?? error.message
            if status == .ok { status = error.status }
        }
        return await renderer.render("deliberation-seance", titre: page.titre, page: page, request: request, context: context, status: status)
    }

    static func ligne(_ jury: Jury, session: String) -> LigneJury {
        let lien = "session=\(Affichage.requete(session))&jury=\(Affichage.requete(jury.code))"
        return LigneJury(
            code: jury.code, specialite: jury.specialite, president: jury.president, date: jury.date.map(DateFrancaise.jour) ?? "—",
            dateSaisie: jury.date ?? "", centre: jury.centre ?? "",
            membres: jury.membres.map { "\($0.nom) ; \($0.qualite)" }.joined(separator: "\n"),
            candidats: jury.candidats, etat: Self.etat(jury.etat),
            classeEtat: jury.etat == "clos" ? "etat--ok" : jury.etat == "ouvert" ? "etat--attente" : "etat--neutre",
            avertissements: jury.avertissements, seance: "/deliberation/seance?\(lien)", pv: "/deliberation/pv?\(lien)",
            ouvrable: jury.etat == "preparation", rouvrable: jury.etat == "clos")
    }

    /// « Nom ; enseignant » or « Nom ; professionnel », one member a line.
    static func membres(_ texte: String) -> [[String: String]] {
        texte.split(whereSeparator: \.isNewline).compactMap { ligne in
            let parties = ligne.split(separator: ";", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let nom = parties.first, !nom.isEmpty else { return nil }
            let qualite = parties.count > 1 && parties[1].lowercased().hasPrefix("pro") ? "professionnel" : "enseignant"
            return ["nom": nom, "qualite": qualite]
        }
    }

    static func etat(_ etat: String) -> String {
        switch etat {
        case "preparation": "en préparation"
        case "ouvert": "ouvert"
        case "clos": "clos"
        default: etat
        }
    }
}
