import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One JSON call of a load tool through the gateway: status and body (bearer token optional).
enum HTTPAppel {
    struct Appel {
        var statut: UInt
        var corps: ByteBuffer
    }

    static func appel(_ client: HTTPClient, _ methode: HTTPMethod, _ url: String, jeton: String?, json: String?) async throws -> Appel {
        var requete = HTTPClientRequest(url: url)
        requete.method = methode
        if let jeton { requete.headers.add(name: "Authorization", value: "Bearer \(jeton)") }
        if let json {
            requete.headers.add(name: "Content-Type", value: "application/json")
            requete.body = .bytes(ByteBuffer(string: json))
        }
        let reponse = try await client.execute(requete, timeout: .seconds(60))
        return Appel(statut: reponse.status.code, corps: try await reponse.body.collect(upTo: 4 << 20))
    }
}
