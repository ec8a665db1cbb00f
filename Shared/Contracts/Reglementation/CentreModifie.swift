import Foundation
import Messaging

/// `reglementation.centre.modifie` v1 — a centre's declaration changed (roles, rooms, gestion autonome, or the établissement's record); the payload is its whole new state.
/// The payload is a `CentreEtat`, encoded flat; its fields read through the event.
@dynamicMemberLookup
public struct CentreModifie: MessageContract, Equatable {
    public static let type = "reglementation.centre.modifie"
    public static let version = 1

    public var centre: CentreEtat

    public init(_ centre: CentreEtat) { self.centre = centre }

    public subscript<Value>(dynamicMember field: KeyPath<CentreEtat, Value>) -> Value { centre[keyPath: field] }

    public init(from decoder: any Decoder) throws { centre = try CentreEtat(from: decoder) }

    public func encode(to encoder: any Encoder) throws { try centre.encode(to: encoder) }
}
