import Crypto
import Storage

/// The key of a service's audit chain, from the environment (at least 32 bytes in hex) and
/// never from the database: whoever can write the service's schema without this key cannot
/// forge a row (or rewrite a whole chain and its head) that the verification accepts. Each
/// service has its own variable (`CYCLADES_EVALUATION_AUDIT_KEY`, `CYCLADES_DELIBERATION_AUDIT_KEY`).
public struct CleAudit: Sendable {
    private let cle: SymmetricKey

    public init(variable: String, environment: [String: String]) throws(ConfigurationError) {
        guard let texte = environment[variable] else { throw .missing(variable) }
        guard texte.utf8.count >= 64, texte.utf8.count % 2 == 0, let octets = Self.octets(hex: texte) else {
            throw .invalid(variable, "(at least 64 hexadecimal digits expected)")
        }
        cle = SymmetricKey(data: octets)
    }

    /// HMAC-SHA-256 of `octets` under the key.
    public func hmac(_ octets: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: octets, using: cle))
    }

    /// The HMAC of `champs` joined by U+001F (which no field may contain), in lowercase hex.
    public func empreinte(_ champs: [String]) -> String {
        let chiffres = Array("0123456789abcdef".utf8)
        var texte: [UInt8] = []
        for octet in hmac(Array(champs.joined(separator: "\u{1F}").utf8)) {
            texte.append(chiffres[Int(octet >> 4)])
            texte.append(chiffres[Int(octet & 0x0F)])
        }
        return String(decoding: texte, as: UTF8.self)
    }

    private static func octets(hex: String) -> [UInt8]? {
        var octets: [UInt8] = []
        let chiffres = Array(hex.utf8)
        var index = 0
        while index + 1 < chiffres.count {
            guard let haut = valeur(chiffres[index]), let bas = valeur(chiffres[index + 1]) else { return nil }
            octets.append(haut << 4 | bas)
            index += 2
        }
        return octets
    }

    private static func valeur(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
