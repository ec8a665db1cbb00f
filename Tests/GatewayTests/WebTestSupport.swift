import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Storage
import TestSupport
@testable import Gateway

/// The gateway's router on the test stack's real `gateway` schema, driven like a browser
/// without JavaScript: cookies kept between requests, forms posted url-encoded with their CSRF
/// token. The services behind it are down (a closed port) unless a test names them.
struct WebBanc: Sendable {
    let identity: IdentityService
    let database: Database
    let client: any TestClientProtocol
    /// The gateway's mail directory: the mails whole, as the mailer gets them.
    let repertoireCourriels: String

    /// The mails sent to `recipient`, oldest first, with their live links.
    func courriels(pour recipient: String) throws -> [(subject: String, body: String, purpose: String)] {
        try Passerelle.courriels(dans: repertoireCourriels, pour: recipient)
    }

    static let motDePasse = "Pages-Web-2027!"

    static func avec(
        services: [String: String] = [:], timeoutMs: Int = 60_000, _ body: @escaping @Sendable (WebBanc) async throws -> Void
    ) async throws {
        var environment = try TestStack.environment("gateway")
        environment["CYCLADES_BCRYPT_COST"] = "4"
        let courriels = FileManager.default.temporaryDirectory.appendingPathComponent("cyclades-courriels-\(UUID().uuidString)").path
        environment["CYCLADES_MAIL_DIR"] = courriels
        environment["CYCLADES_SERVICE_TIMEOUT_MS"] = "\(timeoutMs)"
        // Port 9 (discard) of the loopback: nothing listens, the connection is refused at once.
        environment["CYCLADES_SERVICE_URLS"] = ServiceDirectory.services
            .map { "\($0)=\(services[$0] ?? "http://127.0.0.1:9")" }.joined(separator: ",")
        let configuration = try ServiceConfiguration(serviceName: "gateway", environment: environment)
        let runtime = await ServiceRuntime(configuration: configuration)
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(GatewayService.self))
            // The accounts are made through a second set of components on the same schema; the
            // router is the one the service runs.
            let components = try await GatewayComponents(runtime: runtime)
            let router = try await GatewayService.makeRouter(runtime: runtime)
            try await Application(router: router).test(.router) { client in
                try await body(WebBanc(identity: components.identity, database: runtime.database, client: client, repertoireCourriels: courriels))
            }
        }
    }

    /// A login no earlier run used.
    static func unique(_ prefix: String) -> String {
        "\(prefix)\(UInt64.random(in: 0...UInt64(UInt32.max) << 8))"
    }

    /// A new account of `role`, active with `motDePasse` unless nil (then waiting for activation).
    func compte(
        _ role: Role, nom: String = "Camille Testeur", habilitations: [String] = [], courriel: String? = nil,
        motDePasse: String? = WebBanc.motDePasse
    ) async throws -> Account {
        let admin = InternalIdentity(subject: "web-tests", role: .admin)
        let account = try await identity.create(
            .init(identifiant: Self.unique("web.\(role.rawValue)."), nom: nom, courriel: courriel, role: role,
                  habilitations: habilitations),
            by: admin, address: nil)
        if let motDePasse {
            let hash = try await identity.hasher.hash(motDePasse)
            try await database.transaction { connection in
                try await identity.accounts.setPassword(id: account.id, hash: hash, on: connection)
            }
        }
        return account
    }

    /// A fresh browser (no cookies yet).
    func navigateur() -> WebNavigateur { WebNavigateur(client: client) }
}

/// Cookies and requests of one visitor.
final class WebNavigateur: @unchecked Sendable {
    let client: any TestClientProtocol
    private(set) var cookies: [String: String] = [:]

    init(client: any TestClientProtocol) { self.client = client }

    struct Reponse: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var texte: String
        var octets: [UInt8] = []
        var location: String? { headers[.location] }
        var setCookies: [String] { headers[values: .setCookie] }

        /// The `Set-Cookie` line of `name`, if any.
        func setCookie(_ name: String) -> String? { setCookies.first { $0.hasPrefix("\(name)=") } }

        /// The value of the hidden `_csrf` field of the page.
        var csrfField: String? {
            guard let range = texte.range(of: #"name="_csrf" value=""#) else { return nil }
            return String(texte[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    func get(_ uri: String) async throws -> Reponse {
        try await send(.get, uri, body: nil)
    }

    /// Posts `fields` url-encoded; `csrf` is added as `_csrf` unless nil.
    func post(_ uri: String, _ fields: [(String, String)], csrf: String? = nil) async throws -> Reponse {
        var all = fields
        if let csrf { all.append(("_csrf", csrf)) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.post, uri, body: body)
    }

    /// Posts `json` as a page's script does (`fetch` with the session cookie, no CSRF field).
    func postJSON(_ uri: String, _ json: String) async throws -> Reponse {
        try await send(.post, uri, bytes: Array(json.utf8), contentType: "application/json")
    }

    /// The CSRF token of this visitor (its cookie), fetching a page first when there is none.
    func csrf() async throws -> String {
        if let token = cookies[CSRF.cookieName] { return token }
        _ = try await get("/connexion")
        guard let token = cookies[CSRF.cookieName] else { throw TestStackError("no CSRF cookie") }
        return token
    }

    /// Logs in through the login form; returns the answer (303 when it worked).
    @discardableResult
    func connexion(_ login: String, _ motDePasse: String, retour: String? = nil) async throws -> Reponse {
        var fields = [("identifiant", login), ("motDePasse", motDePasse)]
        if let retour { fields.append(("retour", retour)) }
        return try await post("/connexion", fields, csrf: try await csrf())
    }

    /// A file of a `multipart/form-data` form.
    struct Fichier: Sendable {
        var champ: String
        var nom: String
        var type: String
        var octets: [UInt8]
    }

    /// Posts `fields` and `files` as `multipart/form-data`, as a browser sends a form with a
    /// file input; `csrf` is added as `_csrf` unless nil.
    func postMultipart(_ uri: String, _ fields: [(String, String)], fichiers: [Fichier], csrf: String? = nil) async throws -> Reponse {
        let boundary = "----CycladesTest\(UInt32.random(in: 0...UInt32.max))"
        var body: [UInt8] = []
        func ligne(_ text: String) { body += Array(text.utf8) + [13, 10] }
        var all = fields
        if let csrf { all.insert(("_csrf", csrf), at: 0) }
        for (name, value) in all {
            ligne("--\(boundary)")
            ligne("Content-Disposition: form-data; name=\"\(name)\"")
            ligne("")
            ligne(value)
        }
        for fichier in fichiers {
            ligne("--\(boundary)")
            ligne("Content-Disposition: form-data; name=\"\(fichier.champ)\"; filename=\"\(fichier.nom)\"")
            ligne("Content-Type: \(fichier.type)")
            ligne("")
            body += fichier.octets + [13, 10]
        }
        ligne("--\(boundary)--")
        return try await send(.post, uri, bytes: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    func forget(_ cookie: String) { cookies[cookie] = nil }
    func set(_ cookie: String, _ value: String) { cookies[cookie] = value }

    private func send(_ method: HTTPRequest.Method, _ uri: String, body: String?) async throws -> Reponse {
        try await send(method, uri, bytes: body.map { Array($0.utf8) }, contentType: body == nil ? nil : "application/x-www-form-urlencoded")
    }

    private func send(_ method: HTTPRequest.Method, _ uri: String, bytes: [UInt8]?, contentType: String?) async throws -> Reponse {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty {
            headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        if let contentType { headers[.contentType] = contentType }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: bytes.map { ByteBuffer(bytes: $0) })
        let reponse = Reponse(status: response.status, headers: response.headers, texte: String(buffer: response.body),
                              octets: Array(buffer: response.body))
        for line in reponse.setCookies {
            let pair = line.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
            guard pair.count == 2 || pair.count == 1 else { continue }
            let name = String(pair[0])
            let value = pair.count == 2 ? String(pair[1]) : ""
            if value.isEmpty || line.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return reponse
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        allowed.insert(" ")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "").replacingOccurrences(of: " ", with: "+")
    }
}
