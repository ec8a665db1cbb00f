import HummingbirdBcrypt
import NIOPosix

/// bcrypt hashing, off the cooperative pool (a cost-12 hash takes a quarter of a second of CPU).
struct PasswordHasher: Sendable {
    let cost: UInt8

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Spends the time of a verification when there is no account, so that timing does not tell
    /// whether a login exists.
    func burn(_ password: String) async throws {
        _ = try await verify(password, hash: Self.decoy)
    }

    private static let decoy = "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5bGJk1P2m5QeHQy6fQvQ0x0E3p0e6Ry"
}

/// The password rules (ANSSI's recommendations for a password alone: 12 characters or more,
/// several kinds of characters).
enum PasswordPolicy {
    /// The French problems with `password`, empty when it is acceptable.
    static func problems(_ password: String, login: String) -> [String] {
        var problems: [String] = []
        if password.count < 12 { problems.append("Le mot de passe doit contenir au moins 12 caractères.") }
        if password.count > 128 { problems.append("Le mot de passe ne doit pas dépasser 128 caractères.") }
        let kinds = [
            password.contains(where: \.isLowercase), password.contains(where: \.isUppercase),
            password.contains(where: \.isNumber),
            password.contains(where: { !$0.isLetter && !$0.isNumber }),
        ].filter { $0 }.count
        if kinds < 3 {
            problems.append("Le mot de passe doit mêler au moins trois sortes de caractères : minuscules, majuscules, chiffres, symboles.")
        }
        if !login.isEmpty && password.lowercased().contains(login.lowercased().split(separator: "@").first.map(String.init) ?? login.lowercased()) {
            problems.append("Le mot de passe ne doit pas contenir l'identifiant.")
        }
        return problems
    }
}
