import Crypto
import Foundation

/// The audit's hash chain: each row's `empreinte` is the SHA-256 of its fields and of the
/// previous row's `empreinte` in the same lot (`precedent`, "" for the first). Changing, removing
/// or inserting a row breaks the links after it; the lot's head (`lots.audit_seq/audit_hash`)
/// catches a removed or added last row.
enum ChaineAudit {
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
    }

    /// The fields in a fixed order, separated by U+001F (which no field may contain: numbers,
    /// grades, subjects and roles are printable), `\u{0}` standing for "no grade before".
    static func empreinte(_ l: Ligne) -> String {
        let champs: [String] = [
            l.lot.uuidString.lowercased(), String(l.seq), l.numero, l.avant ?? "\u{0}", l.apres, String(l.revision),
            l.par, l.role, l.source, l.commande.uuidString.lowercased(), String(l.instant), l.precedent,
        ]
        let digest = SHA256.hash(data: Array(champs.joined(separator: "\u{1F}").utf8))
        return hex(digest)
    }

    private static let chiffres = Array("0123456789abcdef".utf8)

    static func hex(_ digest: SHA256.Digest) -> String {
        var octets: [UInt8] = []
        octets.reserveCapacity(64)
        for octet in digest {
            octets.append(chiffres[Int(octet >> 4)])
            octets.append(chiffres[Int(octet & 0x0f)])
        }
        return String(decoding: octets, as: UTF8.self)
    }
}
