import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Réglementation: sessions, step services, national pilot, centres (schema `reglementation`).
public enum ReglementationService: CycladesService {
    public static let name = "reglementation"

    public static func migrations() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            fatalError("the Reglementation resource bundle has no Migrations folder")
        }
        return try Migration.load(source: name, directory: directory)
    }

    /// Réglementation is the first step: it consumes no other service's events.
    public static func handlers(runtime: ServiceRuntime) -> MessageHandlers? { nil }

    public static func addRoutes(to group: RouterGroup<ServiceRequestContext>, runtime: ServiceRuntime) {
        SessionRoutes(sessions: SessionRepository(database: runtime.database, outbox: runtime.outbox))
            .add(to: group)
    }
}
