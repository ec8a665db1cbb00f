import Foundation
import Messaging

/// `inscription.candidature.validee` v2 — a candidature was validated (the candidate's signature):
/// everything downstream needs, flat (`CandidatureEtat`). v2 adds `consentementPublication`.
@dynamicMemberLookup
public struct CandidatureValidee: MessageContract, Equatable {
    public static let type = "inscription.candidature.validee"
    public static let version = 2

    public var candidature: CandidatureEtat

    public init(_ candidature: CandidatureEtat) { self.candidature = candidature }

    public subscript<Value>(dynamicMember field: KeyPath<CandidatureEtat, Value>) -> Value { candidature[keyPath: field] }

    public init(from decoder: any Decoder) throws { candidature = try CandidatureEtat(from: decoder) }

    public func encode(to encoder: any Encoder) throws { try candidature.encode(to: encoder) }
}
