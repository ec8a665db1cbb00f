import Foundation
import Messaging

/// `inscription.candidature.modifiee` v2 — a validated candidature changed (choices, identity,
/// aménagements granted): its whole new state, flat, with a higher `revision`. v2 adds
/// `consentementPublication`.
@dynamicMemberLookup
public struct CandidatureModifiee: MessageContract, Equatable {
    public static let type = "inscription.candidature.modifiee"
    public static let version = 2

    public var candidature: CandidatureEtat

    public init(_ candidature: CandidatureEtat) { self.candidature = candidature }

    public subscript<Value>(dynamicMember field: KeyPath<CandidatureEtat, Value>) -> Value { candidature[keyPath: field] }

    public init(from decoder: any Decoder) throws { candidature = try CandidatureEtat(from: decoder) }

    public func encode(to encoder: any Encoder) throws { try candidature.encode(to: encoder) }
}
