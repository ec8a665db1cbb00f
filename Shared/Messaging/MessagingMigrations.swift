import Foundation
import Storage

/// The kit's own tables (outbox, inbox), applied to every service's schema before its own.
public enum MessagingMigrations {
    public static func all() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            fatalError("the Messaging resource bundle has no Migrations folder")
        }
        return try Migration.load(source: "messaging", directory: directory)
    }
}
