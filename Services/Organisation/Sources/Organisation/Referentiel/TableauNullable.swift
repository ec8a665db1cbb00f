
import PostgresNIO

/// An array parameter whose elements may be NULL (PostgresNIO binds `[String]`, not `[String?]`),
/// for the UNNEST of set-based writes: the binary array format with its null flag set.
struct TableauNullable<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable & Sendable>: PostgresNonThrowingEncodable, Sendable {
    var valeurs: [Element?]

    init(_ valeurs: [Element?]) { self.valeurs = valeurs }

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(valeurs.isEmpty ? 0 : 1, as: UInt32.self)
        buffer.writeInteger(valeurs.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !valeurs.isEmpty else { return }
        buffer.writeInteger(Int32(valeurs.count), as: Int32.self)
        buffer.writeInteger(1, as: Int32.self)
        for valeur in valeurs {
            guard let valeur else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let index = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            let debut = buffer.writerIndex
            valeur.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - debut), at: index, as: Int32.self)
        }
    }
}
