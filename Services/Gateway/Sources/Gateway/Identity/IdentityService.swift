import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Storage

/// Who may come in and how: login with lockout, sessions, activation and reset by one-time link,
/// papillons, accounts managed by admin and gestionnaire — each step audited.
struct IdentityService: Sendable {
    let database: Database
    let accounts: AccountRepository
    let sessions: SessionTokens
    let tokens: OneTimeTokens
    let audit: AccessAudit
    let mails: MailOutbox
    let hasher: PasswordHasher
    let limiter: RateLimiter
    let publicURL: String
    let logger: Logger

    /// Failures within a minute after which the account is locked for `lockDuration` (attempts
    /// are then refused without the password being checked, with the answer of a wrong one).
    static let lockThreshold = 5
    static let lockDuration: Duration = .seconds(5 * 60)
    static let perAddress = RateLimiter.Rule(limit: 30, window: .seconds(60))
    static let resetPerAddress = RateLimiter.Rule(limit: 5, window: .seconds(3600))
    static let resetPerAccount = RateLimiter.Rule(limit: 3, window: .seconds(3600))

    static let badCredentials = ServiceError(
        .unauthorized, code: "connexion.refusee", message: "Identifiant ou mot de passe incorrect.")
    static let tooMany = ServiceError(
        .tooManyRequests, code: "connexion.trop_de_tentatives",
        message: "Trop de tentatives de connexion. Réessayez dans quelques minutes.")

    struct Session: Sendable {
        var account: Account
        var token: String
        var expires: Date
    }

    // MARK: Login

    func login(_ rawLogin: String, password: String, address: String?, userAgent: String?) async throws -> Session {
        let login = Self.normalize(rawLogin)
        guard limiter.allow("adresse:\(address ?? "?")", Self.perAddress) else {
            try await audit.record("connexion", outcome: .refus, actor: login, address: address, detail: "limite par adresse")
            throw Self.tooMany
        }
        guard let credentials = try await accounts.credentials(login: login) else {
            try await hasher.burn(password)
            try await audit.record("connexion", outcome: .echec, actor: login, address: address, detail: "compte inconnu")
            throw Self.badCredentials
        }
        let account = credentials.account
        if let lockedUntil = credentials.lockedUntil, lockedUntil > Date() {
            // The answer and its time are those of a wrong password: a lock tells nobody that
            // the login exists.
            try await hasher.burn(password)
            try await audit.record("connexion", outcome: .refus, actor: account.id.uuidString.lowercased(),
                                   role: account.role.rawValue, address: address, detail: "compte verrouillé")
            throw Self.badCredentials
        }
        guard account.state == .actif, let hash = credentials.passwordHash else {
            try await hasher.burn(password)
            try await audit.record("connexion", outcome: .echec, actor: account.id.uuidString.lowercased(),
                                   role: account.role.rawValue, address: address, detail: "compte \(account.state.rawValue)")
            throw Self.badCredentials
        }
        guard try await hasher.verify(password, hash: hash) else {
            try await accounts.recordFailure(id: account.id, threshold: Self.lockThreshold, lock: Self.lockDuration)
            try await audit.record("connexion", outcome: .echec, actor: account.id.uuidString.lowercased(),
                                   role: account.role.rawValue, address: address, detail: "mot de passe incorrect")
            throw Self.badCredentials
        }
        try await accounts.recordSuccess(id: account.id)
        let (token, expires) = try await sessions.open(account, address: address, userAgent: userAgent)
        try await audit.record("connexion", outcome: .succes, actor: account.id.uuidString.lowercased(),
                               role: account.role.rawValue, address: address)
        return Session(account: account, token: token, expires: expires)
    }

    func logout(session: UUID, account: Account, address: String?) async throws {
        try await sessions.revoke(session: session)
        try await audit.record("deconnexion", outcome: .succes, actor: account.id.uuidString.lowercased(),
                               role: account.role.rawValue, address: address)
    }

    // MARK: Activation and reset

    /// Sets the password of the account a link or papillon code names, once.
    func setPassword(
        purpose: OneTimeTokens.Purpose, secret: String, password: String, expectedLogin: String? = nil,
        address: String?
    ) async throws -> Account {
        let refused = ServiceError.invalid("lien.invalide", "Ce lien ou ce code n'est pas valide, a déjà servi ou a expiré.")
        return try await database.transaction { connection in
            guard let id = try await tokens.consume(purpose, secret: secret, on: connection),
                  let account = try await accounts.find(id: id), account.state != .desactive,
                  expectedLogin.map({ Self.normalize($0) == account.login }) ?? true
            else {
                try await audit.record("\(purpose.rawValue).echec", outcome: .echec, actor: expectedLogin, address: address)
                throw refused
            }
            let problems = PasswordPolicy.problems(password, login: account.login)
            guard problems.isEmpty else {
                throw ServiceError.invalid(
                    "mot_de_passe.faible", problems[0],
                    details: problems.map { .init(location: "motDePasse", code: "mot_de_passe.faible", message: $0) })
            }
            try await accounts.setPassword(id: account.id, hash: try await hasher.hash(password), on: connection)
            try await sessions.revokeAll(account: account.id, on: connection)
            try await audit.record(purpose.rawValue, outcome: .succes, actor: account.id.uuidString.lowercased(),
                                   role: account.role.rawValue, address: address, on: connection)
            var activated = account
            activated.state = .actif
            return activated
        }
    }

    /// Sends a reset link when the account exists; answers the same way when it does not.
    func requestReset(_ rawLogin: String, address: String?) async throws {
        let login = Self.normalize(rawLogin)
        guard limiter.allow("reinitialisation-adresse:\(address ?? "?")", Self.resetPerAddress),
              limiter.allow("reinitialisation-compte:\(login)", Self.resetPerAccount)
        else {
            try await audit.record("reinitialisation.demande", outcome: .refus, actor: login, address: address, detail: "limite")
            return  // same answer: the caller learns nothing
        }
        guard let account = try await accounts.credentials(login: login)?.account,
              account.state != .desactive, let email = account.email
        else {
            try await audit.record("reinitialisation.demande", outcome: .echec, actor: login, address: address)
            return
        }
        try await database.transaction { connection in
            try await sendLink(.reinitialisation, to: account, email: email, on: connection)
            try await audit.record("reinitialisation.demande", outcome: .succes, actor: account.id.uuidString.lowercased(),
                                   role: account.role.rawValue, address: address, on: connection)
        }
    }

    private func sendLink(_ purpose: OneTimeTokens.Purpose, to account: Account, email: String, on connection: PostgresConnection) async throws {
        let secret = OneTimeTokens.linkSecret()
        let validity: Duration = purpose == .activation ? .seconds(7 * 24 * 3600) : .seconds(3600)
        try await tokens.issue(purpose, account: account.id, secret: secret, validFor: validity, on: connection)
        let page = purpose == .activation ? "activation" : "reinitialisation"
        let link = "\(publicURL)/\(page)?jeton=\(secret)"
        let (subject, body) = purpose == .activation
            ? ("Activation de votre compte Cyclades BP",
               "Bonjour \(account.displayName),\n\nUn compte Cyclades BP a été ouvert pour vous (identifiant : \(account.login)).\nChoisissez votre mot de passe en suivant ce lien, valable 7 jours et une seule fois :\n\(link)\n")
            : ("Réinitialisation de votre mot de passe Cyclades BP",
               "Bonjour \(account.displayName),\n\nUne réinitialisation du mot de passe de votre compte a été demandée.\nSi vous en êtes l'auteur, suivez ce lien, valable une heure et une seule fois :\n\(link)\n\nSinon, ignorez ce message : votre mot de passe reste inchangé.\n")
        try await mails.enqueue(to: email, subject: subject, body: body, purpose: purpose.rawValue, on: connection)
    }

    // MARK: Grand Public accounts

    /// What a Grand Public candidate gives to open his own account.
    struct SelfRegistration: Codable, Sendable {
        var identifiant: String
        var nom: String
        var courriel: String
    }

    /// At most this many account creations per address and minute (as logins), and this many
    /// mails to one address per hour (beyond, the same answer and no mail).
    static let registrationPerEmail = RateLimiter.Rule(limit: 3, window: .seconds(3600))
    static let tooManyRegistrations = ServiceError(
        .tooManyRequests, code: "inscription.trop_de_demandes",
        message: "Trop de demandes de création de compte depuis cette adresse. Réessayez dans quelques minutes.")

    /// Opens a Grand Public candidate's account (role `candidat`, scope `candidat:<identifiant>`,
    /// waiting for its activation) and mails its activation link. The answer never tells whether
    /// the identifiant was free, and a taken one mails nobody: nobody learns from the answer or
    /// from a mailbox he chose which accounts exist.
    func register(_ request: SelfRegistration, address: String?) async throws {
        guard limiter.allow("inscription-adresse:\(address ?? "?")", Self.perAddress) else {
            try await audit.record("compte.inscription", outcome: .refus, actor: Self.normalize(request.identifiant),
                                   address: address, detail: "limite par adresse")
            throw Self.tooManyRegistrations
        }
        let login = Self.normalize(request.identifiant)
        var details: [ServiceError.Detail] = []
        if login.wholeMatch(of: /[a-z0-9][a-z0-9._@+-]{2,99}/) == nil {
            details.append(.init(location: "identifiant", code: "identifiant.format",
                                 message: "L'identifiant doit faire 3 à 100 caractères : lettres, chiffres, . _ @ + -."))
        } else if !login.contains(where: \.isLetter) {
            details.append(.init(location: "identifiant", code: "identifiant.reserve",
                                 message: "L'identifiant doit contenir au moins une lettre : les identifiants faits de chiffres seuls sont réservés aux numéros de candidat."))
        }
        let name = request.nom.trimmingCharacters(in: .whitespacesAndNewlines)
        if !(1...200).contains(name.count) {
            details.append(.init(location: "nom", code: "nom.longueur", message: "Le nom est obligatoire (200 caractères au plus)."))
        }
        let email = request.courriel.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if email.isEmpty {
            details.append(.init(location: "courriel", code: "courriel.absent",
                                 message: "L'adresse électronique est obligatoire : le lien d'activation y est envoyé."))
        } else if email.count > 200 || email.wholeMatch(of: /[^@\s]+@[^@\s]+\.[^@\s]+/) == nil {
            details.append(.init(location: "courriel", code: "courriel.format", message: "Adresse électronique invalide (ex. prenom.nom@exemple.fr)."))
        }
        guard details.isEmpty else {
            throw ServiceError.invalid("compte.invalide", details[0].message, details: details)
        }
        guard limiter.allow("inscription-courriel:\(email)", Self.registrationPerEmail) else {
            try await audit.record("compte.inscription", outcome: .refus, actor: login, address: address, detail: "limite par courriel")
            return  // same answer: the caller learns nothing
        }
        try await database.transaction { connection in
            let account: Account
            do {
                account = try await accounts.create(
                    login: login, displayName: name, email: email, role: .candidat, scopes: ["candidat:\(login)"],
                    by: "grand-public", on: connection)
            } catch let error as ServiceError where error.code == "compte.existe" {
                // Same answer as a free identifiant, and no mail: the address was chosen by the
                // requester, who must learn nothing about another person's account. The owner
                // who forgot his account has « mot de passe oublié ».
                try await audit.record("compte.inscription", outcome: .echec, actor: login, address: address,
                                       detail: "identifiant déjà utilisé", on: connection)
                return
            }
            try await sendLink(.activation, to: account, email: email, on: connection)
            try await audit.record("compte.inscription", outcome: .succes, actor: account.id.uuidString.lowercased(),
                                   role: account.role.rawValue, address: address, target: account.id.uuidString.lowercased(),
                                   detail: "candidat \(account.login)", on: connection)
        }
    }

    // MARK: Accounts

    struct NewAccount: Codable, Sendable {
        var identifiant: String
        var nom: String
        var courriel: String?
        var role: Role
        var habilitations: [String]?
    }

    func create(_ request: NewAccount, by actor: InternalIdentity, address: String?) async throws -> Account {
        guard actor.role == .admin || (actor.role == .gestionnaire && ![.admin, .gestionnaire, .service].contains(request.role)) else {
            try await audit.record("compte.creation", outcome: .refus, actor: actor.subject, role: actor.role.rawValue,
                                   address: address, detail: "rôle \(request.role.rawValue)")
            throw ServiceError.forbidden("Accès refusé : vous ne pouvez pas créer de compte « \(request.role.rawValue) ».")
        }
        let login = Self.normalize(request.identifiant)
        var details: [ServiceError.Detail] = []
        if login.wholeMatch(of: /[a-z0-9][a-z0-9._@+-]{2,99}/) == nil {
            details.append(.init(location: "identifiant", code: "identifiant.format",
                                 message: "L'identifiant doit faire 3 à 100 caractères : lettres, chiffres, . _ @ + -."))
        }
        let name = request.nom.trimmingCharacters(in: .whitespacesAndNewlines)
        if !(1...200).contains(name.count) {
            details.append(.init(location: "nom", code: "nom.longueur", message: "Le nom est obligatoire (200 caractères au plus)."))
        }
        let email = request.courriel?.trimmingCharacters(in: .whitespaces).lowercased()
        if let email, email.wholeMatch(of: /[^@\s]+@[^@\s]+\.[^@\s]+/) == nil {
            details.append(.init(location: "courriel", code: "courriel.format", message: "Adresse électronique invalide."))
        }
        if request.role == .service {
            details.append(.init(location: "role", code: "role.interdit", message: "Le rôle service est réservé aux échanges entre services."))
        }
        let scopes = (request.habilitations ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        for problem in Scope.problems(scopes, role: request.role) {
            details.append(.init(location: "habilitations", code: "habilitation.invalide", message: problem))
        }
        guard details.isEmpty else {
            throw ServiceError.invalid("compte.invalide", details[0].message, details: details)
        }
        return try await database.transaction { connection in
            let account = try await accounts.create(
                login: login, displayName: name, email: email, role: request.role, scopes: scopes,
                by: actor.subject, on: connection)
            if let email { try await sendLink(.activation, to: account, email: email, on: connection) }
            try await audit.record("compte.creation", outcome: .succes, actor: actor.subject, role: actor.role.rawValue,
                                   address: address, target: account.id.uuidString.lowercased(),
                                   detail: "\(account.role.rawValue) \(account.login)", on: connection)
            return account
        }
    }

    func disable(_ id: UUID, by actor: InternalIdentity, address: String?) async throws {
        guard let account = try await accounts.find(id: id) else { throw ServiceError.notFound("Compte introuvable.") }
        try requireManager(actor, of: account)
        try await database.transaction { connection in
            _ = try await accounts.disable(id: id, on: connection)
            try await sessions.revokeAll(account: id, on: connection)
            try await audit.record("compte.desactivation", outcome: .succes, actor: actor.subject, role: actor.role.rawValue,
                                   address: address, target: id.uuidString.lowercased(), on: connection)
        }
    }

    /// Sends a new reset (or activation) link to the account's owner.
    func sendReset(_ id: UUID, by actor: InternalIdentity, address: String?) async throws {
        guard let account = try await accounts.find(id: id) else { throw ServiceError.notFound("Compte introuvable.") }
        try requireManager(actor, of: account)
        guard let email = account.email else {
            throw ServiceError.invalid("courriel.absent", "Ce compte n'a pas d'adresse électronique : imprimez-lui un papillon.")
        }
        try await database.transaction { connection in
            try await sendLink(account.state == .enAttente ? .activation : .reinitialisation, to: account, email: email, on: connection)
            try await audit.record("compte.reinitialisation", outcome: .succes, actor: actor.subject, role: actor.role.rawValue,
                                   address: address, target: id.uuidString.lowercased(), on: connection)
        }
    }

    private func requireManager(_ actor: InternalIdentity, of account: Account) throws {
        let allowed = actor.role == .admin
            || (actor.role == .gestionnaire && ![.admin, .gestionnaire].contains(account.role))
        guard allowed else { throw ServiceError.forbidden() }
    }

    // MARK: Papillons

    struct Papillon: Codable, Sendable {
        var identifiant: String
        var nom: String
        var code: String
        var validJusquau: Date
    }

    struct CandidatPapillon: Codable, Sendable {
        var identifiant: String
        var nom: String
    }

    /// One-time activation codes for an établissement's candidates, to print and hand out.
    /// Only for identifiants that `confirmer` (Inscription, asked as the caller) names as
    /// candidates of the établissement (login → name): one unknown and nothing is printed.
    /// Creates the candidate accounts that do not exist yet; a new print replaces the codes of
    /// accounts not activated yet; activated accounts are skipped (they use a reset instead).
    func papillons(
        uai: String, candidats: [CandidatPapillon], by actor: InternalIdentity, address: String?,
        confirmer: @Sendable (_ identifiants: [String]) async throws -> [String: String]
    ) async throws -> [Papillon] {
        guard actor.role == .gestionnaire || (actor.role == .etablissement && actor.hasScope("uai", uai)) else {
            try await audit.record("papillons", outcome: .refus, actor: actor.subject, role: actor.role.rawValue,
                                   address: address, target: uai)
            throw ServiceError.forbidden("Accès refusé : vous n'êtes pas habilité pour l'établissement \(uai).")
        }
        guard (1...2000).contains(candidats.count) else {
            throw ServiceError.invalid("papillons.nombre", "Entre 1 et 2 000 candidats par impression.")
        }
        let confirmes = try await confirmer(candidats.map { Self.normalize($0.identifiant) })
        let inconnus = candidats.enumerated().filter { confirmes[Self.normalize($0.element.identifiant)] == nil }
        guard inconnus.isEmpty else {
            try await audit.record("papillons", outcome: .refus, actor: actor.subject, role: actor.role.rawValue,
                                   address: address, target: uai, detail: "\(inconnus.count) identifiant(s) non confirmé(s)")
            let liste = inconnus.prefix(10).map { "« \($0.element.identifiant) »" }.joined(separator: ", ")
            throw ServiceError.invalid(
                "papillon.candidat_inconnu",
                "Aucun papillon imprimé : \(liste)\(inconnus.count > 10 ? " et d'autres" : "") \(inconnus.count > 1 ? "ne sont" : "n'est") pas le numéro candidat d'un candidat de l'établissement \(uai) dans une session ouverte.",
                details: inconnus.map {
                    .init(location: "candidats[\($0.offset)].identifiant", code: "papillon.candidat_inconnu",
                          message: "« \($0.element.identifiant) » n'est pas un candidat de l'établissement \(uai).")
                })
        }
        let validity = Duration.seconds(90 * 24 * 3600)
        return try await database.transaction { connection in
            var printed: [Papillon] = []
            for candidat in candidats {
                let login = Self.normalize(candidat.identifiant)
                let account: Account
                if let existing = try await accounts.credentials(login: login)?.account {
                    guard existing.role == .candidat, existing.scopes.contains("uai:\(uai)") || actor.role == .gestionnaire else {
                        throw ServiceError.conflict("papillon.compte", "Le compte « \(login) » n'est pas un candidat de cet établissement.")
                    }
                    guard existing.state == .enAttente else { continue }
                    account = existing
                } else {
                    account = try await accounts.create(
                        login: login, displayName: confirmes[login] ?? candidat.nom, email: nil, role: .candidat,
                        scopes: ["candidat:\(login)", "uai:\(uai)"], by: actor.subject, on: connection)
                }
                let code = OneTimeTokens.paperCode()
                try await tokens.issue(.papillon, account: account.id, secret: OneTimeTokens.canonical(paperCode: code),
                                       validFor: validity, on: connection)
                printed.append(Papillon(identifiant: login, nom: account.displayName, code: code,
                                        validJusquau: Date().addingTimeInterval(TimeInterval(validity.components.seconds))))
            }
            try await audit.record("papillons", outcome: .succes, actor: actor.subject, role: actor.role.rawValue,
                                   address: address, target: uai, detail: "\(printed.count) papillon(s)", on: connection)
            return printed
        }
    }

    static func normalize(_ login: String) -> String {
        login.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
