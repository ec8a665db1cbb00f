import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import Messaging
import NIOCore
import ServiceKit
import TestSupport

/// A service's answer as its tests read it: status, body, headers, the body decoded.
public struct ReponseService: Sendable {
    public var status: HTTPResponse.Status
    public var corps: ByteBuffer
    public var headers: HTTPFields

    public var texte: String { String(buffer: corps) }
    public var octets: [UInt8] { Array(buffer: corps) }

    /// The body as JSON, dates as the services write them (ISO 8601).
    public func json<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        do { return try MessageCoding.decoder().decode(T.self, from: Data(buffer: corps)) } catch {
            throw TestStackError("cannot decode \(T.self) from \(status): \(texte.prefix(600)) (\(error))")
        }
    }

    /// The error body `{code, message, details}`.
    public var probleme: Probleme { get throws { try json(Probleme.self) } }
}

/// A service's error body.
public struct Probleme: Decodable, Sendable {
    public var code: String
    public var message: String
    public var details: [ServiceError.Detail]?
}

extension TestClientProtocol {
    /// One request to a service's router as the gateway forwards it: with the internal token
    /// vouching for `identite` (none at all when nil).
    public func appelService(
        _ method: HTTPRequest.Method, _ uri: String, identite: InternalIdentity?, tokens: InternalTokenAuthority,
        headers: HTTPFields = [:], contentType: String? = nil, corps: ByteBuffer? = nil
    ) async throws -> ReponseService {
        var champs = headers
        if let identite { champs[.authorization] = "Bearer \(try await tokens.sign(identite))" }
        if let contentType { champs[.contentType] = contentType }
        let response = try await execute(uri: uri, method: method, headers: champs, body: corps)
        return ReponseService(status: response.status, corps: response.body, headers: response.headers)
    }
}

/// Valid identifiers for test data.
public enum UAIs {
    /// A valid UAI: seven random digits, or those of a département (its first three digits).
    public static func valide(departement: String? = nil) -> String {
        let chiffres = departement.map { $0 + String(format: "%04d", Int.random(in: 0...9999)) }
            ?? String(format: "%07d", Int.random(in: 0...9_999_999))
        return chiffres + String(UAI.checkLetter(for: chiffres)!)
    }

    /// The same digits with another check letter.
    public static func mauvaiseLettre(_ uai: String) -> String {
        let lettres = Array("ABCDEFGHJKLMNPRSTUVWXYZ")
        let index = lettres.firstIndex(of: uai.last!)!
        return String(uai.dropLast()) + String(lettres[(index + 1) % lettres.count])
    }
}

public enum INEs {
    /// A random INE of the current shape (9 digits + 2 letters).
    public static func nouveau() -> String {
        String(format: "%09d", Int.random(in: 0...999_999_999)) + String((0..<2).map { _ in "ABCDEFGHJK".randomElement()! })
    }
}
