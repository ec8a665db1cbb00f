import Foundation
import JWTKit
import Testing

@testable import ServiceKit

/// The internal token: signed by the gateway, verified by every service.
@Suite struct InternalTokenTests {
    @Test func aSignedTokenVerifiesToTheSameIdentity() async throws {
        let authority = await InternalTokenAuthority(secret: Fixtures.secret, audience: "inscription")
        let identity = InternalIdentity(
            subject: "corr-0042", role: .correcteur, scopes: ["lot:L-2031-017", "lot:L-2031-018", "uai:0750655E"])
        let token = try await authority.sign(identity)
        #expect(token.split(separator: ".").count == 3, "a compact JWS")
        let verified = await authority.verify(token)
        #expect(verified == identity)
        #expect(verified?.hasScope("lot", "L-2031-018") == true)
        #expect(verified?.hasScope("lot", "L-2031-019") == false)
    }

    @Test(arguments: Role.allCases)
    func everyRoleSurvivesTheRoundTrip(_ role: Role) async throws {
        let authority = await InternalTokenAuthority(secret: Fixtures.secret, audience: "inscription")
        let identity = InternalIdentity(subject: "someone", role: role)
        let verified = await authority.verify(try await authority.sign(identity))
        #expect(verified == identity)
    }

    @Test func aTokenSignedWithAnotherSecretIsRefused() async throws {
        let gateway = await InternalTokenAuthority(secret: Fixtures.secret, audience: "inscription")
        let forger = await InternalTokenAuthority(secret: String(Fixtures.secret.reversed()), audience: "inscription")
        let forged = try await forger.sign(Fixtures.gestionnaire)
        #expect(await gateway.verify(forged) == nil)
        #expect(await forger.verify(forged) == Fixtures.gestionnaire, "the forger's own key accepts it")
    }

    /// Each service has its own key and accepts only tokens addressed to it: a token for one
    /// service is refused by another, even when (misconfigured) they share a key.
    @Test func aTokenForAnotherServiceIsRefused() async throws {
        let inscription = await InternalTokenAuthority(secret: Fixtures.secret, audience: "inscription")
        let evaluationSameKey = await InternalTokenAuthority(secret: Fixtures.secret, audience: "evaluation")
        let evaluation = await InternalTokenAuthority(secret: String(Fixtures.secret.reversed()), audience: "evaluation")
        let pourInscription = try await inscription.sign(Fixtures.gestionnaire)
        #expect(await inscription.verify(pourInscription) == Fixtures.gestionnaire)
        #expect(await evaluationSameKey.verify(pourInscription) == nil)
        #expect(await evaluation.verify(pourInscription) == nil)
        // Inscription's key cannot mint a token Evaluation accepts, whatever audience it names.
        let forge = await InternalTokenAuthority(secret: Fixtures.secret, audience: "evaluation")
        #expect(await evaluation.verify(try await forge.sign(Fixtures.gestionnaire)) == nil)
    }

    @Test func anExpiredTokenIsRefused() async throws {
        let authority = await InternalTokenAuthority(secret: Fixtures.secret, audience: "inscription", lifetime: .seconds(60))
        let expired = try await authority.sign(Fixtures.gestionnaire, now: Date().addingTimeInterval(-120))
        #expect(await authority.verify(expired) == nil)
        let stillValid = try await authority.sign(Fixtures.gestionnaire, now: Date().addingTimeInterval(-30))
        #expect(await authority.verify(stillValid) == Fixtures.gestionnaire)
    }

    @Test func aTamperedPayloadIsRefused() async throws {
        let authority = await InternalTokenAuthority(secret: Fixtures.secret, audience: "inscription")
        let candidat = try await authority.sign(InternalIdentity(subject: "cand-1", role: .candidat))
        let admin = try await authority.sign(InternalIdentity(subject: "cand-1", role: .admin))
        // The candidate's signature under the admin's claims.
        let c = candidat.split(separator: "."), a = admin.split(separator: ".")
        let tampered = [c[0], a[1], c[2]].joined(separator: ".")
        #expect(await authority.verify(tampered) == nil)

        // One flipped character of the payload.
        var payload = Array(c[1])
        payload[payload.count / 2] = payload[payload.count / 2] == "A" ? "B" : "A"
        #expect(await authority.verify([c[0], Substring(String(payload)), c[2]].joined(separator: ".")) == nil)
    }

    @Test(arguments: ["", "not-a-token", "a.b.c", "Bearer x.y.z"])
    func garbageIsRefused(_ token: String) async {
        let authority = await InternalTokenAuthority(secret: Fixtures.secret, audience: "inscription")
        #expect(await authority.verify(token) == nil)
    }

    /// Claims signed with the right key but not what the gateway issues.
    @Test func anUnknownIssuerOrRoleIsRefused() async throws {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Fixtures.secret), digestAlgorithm: .sha256)
        let authority = await InternalTokenAuthority(secret: Fixtures.secret, audience: "inscription")
        func claims(role: String, issuer: String) -> InternalTokenClaims {
            InternalTokenClaims(
                sub: .init(value: "x"), role: role, scopes: [], iss: .init(value: issuer), aud: .init(value: ["inscription"]),
                exp: .init(value: Date().addingTimeInterval(60)), iat: .init(value: Date()))
        }
        #expect(await authority.verify(try await keys.sign(claims(role: "gestionnaire", issuer: "cyclades-gateway"))) != nil)
        #expect(await authority.verify(try await keys.sign(claims(role: "gestionnaire", issuer: "elsewhere"))) == nil)
        #expect(await authority.verify(try await keys.sign(claims(role: "superuser", issuer: "cyclades-gateway"))) == nil)
    }
}
