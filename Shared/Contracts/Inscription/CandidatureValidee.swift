import Foundation
import Messaging

/// `inscription.candidature.validee` v1 — a candidature was validated (the candidate's signature):
/// everything downstream needs, flat (`CandidatureEtat`).
@dynamicMemberLookup
public struct CandidatureValidee: MessageContract, Equatable {
    public static let type = "inscription.candidature.validee"
    public static let version = 1

    public var candidature: CandidatureEtat

    public init(_ candidature: CandidatureEtat) { self.candidature = candidature }

    public subscript<Value>(dynamicMember field: KeyPath<CandidatureEtat, Value>) -> Value { candidature[keyPath: field] }

    public init(from decoder: any Decoder) throws { candidature = try CandidatureEtat(from: decoder) }

    public func encode(to encoder: any Encoder) throws { try candidature.encode(to: encoder) }
}
