import Foundation
import Messaging

/// `reglementation.centre.declare` v1 — an établissement was declared as a centre of a session, with its roles.
/// The payload is a `CentreEtat`, encoded flat; its fields read through the event.
@dynamicMemberLookup
public struct CentreDeclare: MessageContract, Equatable {
    public static let type = "reglementation.centre.declare"
    public static let version = 1

    public var centre: CentreEtat

    public init(_ centre: CentreEtat) { self.centre = centre }

    public subscript<Value>(dynamicMember field: KeyPath<CentreEtat, Value>) -> Value { centre[keyPath: field] }

    public init(from decoder: any Decoder) throws { centre = try CentreEtat(from: decoder) }

    public func encode(to encoder: any Encoder) throws { try centre.encode(to: encoder) }
}
