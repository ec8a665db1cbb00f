import Foundation
import Messaging

/// `reglementation.ressource.deposee` v1 — a new version of an academic resource printed on
/// documents (`logo.academie`, `signature.recteur`…) was deposited, its content included, so
/// that the services printing documents keep their own copy and never call Réglementation.
///
/// Written once per new version (depositing the same content, label and type again makes no
/// version and no message). Versions only grow per académie and code: a consumer keeps the
/// highest it has seen and ignores an older one redelivered late. The content is at most 2 MiB
/// (the deposit's limit), base64 in the JSON; `mediaType` is `image/png`, `image/jpeg` or
/// `image/svg+xml` (the documents kit draws PNG only).
public struct RessourceDeposee: MessageContract, Equatable {
    public static let type = "reglementation.ressource.deposee"
    public static let version = 1

    /// Académie code, e.g. `A01`.
    public var academie: String
    /// `logo.academie`, `signature.recteur`… (lowercase letters, digits, `.`, `_`, `-`).
    public var code: String
    /// 1, 2, … per académie and code.
    public var version: Int
    public var libelle: String
    public var mediaType: String
    /// The file's bytes (base64 in JSON).
    public var contenu: Data
    /// SHA-256 of `contenu`, lowercase hexadecimal (the HTTP API's ETag).
    public var empreinte: String
    /// Who deposited it (the gestionnaire's subject).
    public var deposeePar: String
    public var deposeeLe: Date

    public init(
        academie: String, code: String, version: Int, libelle: String, mediaType: String, contenu: Data,
        empreinte: String, deposeePar: String, deposeeLe: Date
    ) {
        self.academie = academie
        self.code = code
        self.version = version
        self.libelle = libelle
        self.mediaType = mediaType
        self.contenu = contenu
        self.empreinte = empreinte
        self.deposeePar = deposeePar
        self.deposeeLe = deposeeLe
    }
}
