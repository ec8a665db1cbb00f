import Crypto
import Foundation
import ServiceKit
import Storage

/// Evaluation's audit key: `CYCLADES_EVALUATION_AUDIT_KEY`.
extension CleAudit {
    static let variable = "CYCLADES_EVALUATION_AUDIT_KEY"

    init(environment: [String: String]) throws(ConfigurationError) {
        try self.init(variable: Self.variable, environment: environment)
    }
}

/// The audit's keyed hash chain: each row's `empreinte` is the HMAC-SHA-256 (key: `CleAudit`) of
/// its fields and of the previous row's `empreinte` in the same lot (`precedent`, "" for the
/// first). Changing, removing or inserting a row breaks the links after it; the lot's head
/// (`lots.audit_seq/audit_hash`) catches a removed or added last row; the key makes a consistent
/// rewrite of a chain (every hash recomputed) impossible without it. A row is a grade change
/// (`note`) or a lock, unlock or reopening of the lot (`numero` empty, `apres` the new state,
/// `motif` the reason given).
enum ChaineAudit {
    enum Nature: String, Sendable {
        case note, verrouillage, deverrouillage, reouverture
    }

    struct Ligne: Sendable, Equatable {
        var lot: UUID
        var seq: Int64
        var numero: String
        var avant: String?
        var apres: String
        var revision: Int64
        var par: String
        var role: String
        var source: String
        var commande: UUID
        var instant: Int64
        var precedent: String
        var nature: Nature = .note
        var motif: String?
        /// This row's hash, computed once when the row is made (`ChaineAudit.ligne`).
        var empreinte = ""
    }

    /// A row of the chain after `precedent`, its `empreinte` computed.
    static func ligne(_ ligne: Ligne, cle: CleAudit) -> Ligne {
        var ligne = ligne
        ligne.empreinte = empreinte(ligne, cle: cle)
        return ligne
    }

    /// The fields in a fixed order, separated by U+001F (which no field may contain: numbers,
    /// grades, subjects and roles are printable; a reason has its control characters removed
    /// before it is stored), `\u{0}` standing for "no grade before" and "no reason".
    static func empreinte(_ l: Ligne, cle: CleAudit) -> String {
        let champs: [String] = [
            texte(l.lot), String(l.seq), l.numero, l.avant ?? "\u{0}", l.apres, String(l.revision),
            l.par, l.role, l.source, texte(l.commande), String(l.instant), l.precedent, l.nature.rawValue, l.motif ?? "\u{0}",
        ]
        return hex(cle.hmac(Array(champs.joined(separator: "\u{1F}").utf8)))
    }

    /// A reason as the chain stores it: trimmed, its control characters (U+001F, the separator,
    /// among them) replaced by spaces.
    static func motif(_ texte: String) -> String {
        String(String.UnicodeScalarView(texte.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static let chiffres = Array("0123456789abcdef".utf8)

    /// `uuid.uuidString.lowercased()` without Foundation's formatting (a hot path: two per row).
    static func texte(_ uuid: UUID) -> String {
        let u = uuid.uuid
        let octets = [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15]
        var texte: [UInt8] = []
        texte.reserveCapacity(36)
        for (index, octet) in octets.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { texte.append(UInt8(ascii: "-")) }
            texte.append(chiffres[Int(octet >> 4)])
            texte.append(chiffres[Int(octet & 0x0f)])
        }
        return String(decoding: texte, as: UTF8.self)
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        var octets: [UInt8] = []
        octets.reserveCapacity(64)
        for octet in digest {
            octets.append(chiffres[Int(octet >> 4)])
            octets.append(chiffres[Int(octet & 0x0f)])
        }
        return String(decoding: octets, as: UTF8.self)
    }
}
