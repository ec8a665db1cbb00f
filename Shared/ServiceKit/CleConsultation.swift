import Crypto
import Foundation

/// The key of a candidate's public result lookup (numéro + birth date): Publication gives the
/// gateway's public pages this key, never the birth date itself, and the gateway computes it from
/// what the visitor typed.
public enum CleConsultation {
    /// SHA-256 (hex) of `NUMERO|YYYY-MM-DD`; the numéro upper-cased and trimmed. On the public
    /// lookup's hot path: no Foundation formatting.
    public static func cle(numero: String, naissance: String) -> String {
        let texte = "\(numero.trimmingCharacters(in: .whitespaces).uppercased())|\(naissance)"
        let chiffres = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for octet in SHA256.hash(data: Array(texte.utf8)) {
            hex.append(chiffres[Int(octet >> 4)])
            hex.append(chiffres[Int(octet & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
