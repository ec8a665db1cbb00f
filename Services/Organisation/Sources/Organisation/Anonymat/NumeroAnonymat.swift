/// A numéro d'anonymat: 8 characters drawn by the system's cryptographically secure generator
/// (`SystemRandomNumberGenerator`: getrandom on Linux) from 32 unambiguous letters and digits
/// (no I, O, 0, 1): 40 bits, derived from nothing about the candidate, its seat or its order.
/// Uniqueness in the session is held by a unique index; a collision is drawn again.
enum NumeroAnonymat {
    static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    static func tirer() -> String {
        var generateur = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in alphabet[Int(generateur.next(upperBound: UInt32(alphabet.count)))] })
    }
}
