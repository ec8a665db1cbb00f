import Crypto
import Foundation

/// The key of a candidate's public result lookup (numéro + birth date): Publication gives the
/// gateway's public pages this key, never the birth date itself, and the gateway computes it from
/// what the visitor typed.
public enum CleConsultation {
    /// SHA-256 (hex) of `NUMERO|YYYY-MM-DD`; the numéro upper-cased and trimmed.
    public static func cle(numero: String, naissance: String) -> String {
        let texte = "\(numero.trimmingCharacters(in: .whitespaces).uppercased())|\(naissance)"
        return SHA256.hash(data: Data(texte.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
