import AMQP
import Foundation
import Logging
import ServiceLifecycle

/// Puts commands on the work queue `evaluation.saisie` with publisher confirms, grouping the
/// commands of concurrent requests into one pipelined batch (group commit): a request returns
/// once the broker confirmed its message (stored on the quorum queue's majority), which is the
/// durable acceptance the API answers 202 on.
///
/// Why not the outbox: the API request changes no state of its own — the command *is* the
/// change, and its only home is the queue. Writing it to the outbox first would add a database
/// write and a relay hop per command (and put every grade through the single elected relay)
/// for no gain in safety: the confirm already says "durably accepted", a failed confirm answers
/// 503 and the client sends the same command id again (the worker is idempotent on it). There is
/// no dual write to protect.
final class EnvoiSaisies: Service, Sendable {
    private let publishers: [AMQPPublisher]
    private let file: FileEnvoi
    private let logger: Logger

    /// `connexions` publishers work in parallel, each sending whatever accumulated meanwhile.
    init(configuration: AMQPConfiguration, connexions: Int = 2, logger: Logger) {
        var configuration = configuration
        configuration.connectionName += "-saisie"
        publishers = (0..<max(1, connexions)).map { _ in
            AMQPPublisher(configuration: configuration, topology: CommandeSaisie.topology, window: 2_000, logger: logger)
        }
        file = FileEnvoi()
        self.logger = logger
    }

    /// Returns when the broker confirmed the command; throws when it refused it or is unreachable
    /// for longer than `delai`.
    func envoyer(_ message: AMQPOutgoingMessage) async throws {
        try await file.deposer(message)
    }

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for publisher in publishers {
                group.addTask { await self.boucle(publisher) }
            }
            await cancelWhenGracefulShutdown {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            }
            await file.fermer()
            group.cancelAll()
        }
        for publisher in publishers { await publisher.close() }
    }

    private func boucle(_ publisher: AMQPPublisher) async {
        while let lot = await file.prendre(maximum: 2_000) {
            do {
                try await publisher.publish(lot.map(\.message))
                for envoi in lot { envoi.continuation.resume() }
            } catch AMQPError.publishRejected(let nacked, let returned) {
                let refuses = Set(nacked + returned)
                for (index, envoi) in lot.enumerated() {
                    if refuses.contains(index) {
                        envoi.continuation.resume(throwing: AMQPError.publishRejected(nacked: [], returned: []))
                    } else {
                        envoi.continuation.resume()
                    }
                }
            } catch {
                logger.warning("commands not confirmed", metadata: ["count": "\(lot.count)", "error": "\(error)"])
                for envoi in lot { envoi.continuation.resume(throwing: error) }
            }
        }
    }
}

/// The commands waiting for the next batch.
actor FileEnvoi {
    struct Envoi {
        var message: AMQPOutgoingMessage
        var continuation: CheckedContinuation<Void, any Error>
    }

    private var envois: [Envoi] = []
    private var preneurs: [CheckedContinuation<Void, Never>] = []
    private var ferme = false

    struct Fermee: Error {}

    func deposer(_ message: AMQPOutgoingMessage) async throws {
        guard !ferme else { throw Fermee() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            envois.append(Envoi(message: message, continuation: continuation))
            if !preneurs.isEmpty { preneurs.removeFirst().resume() }
        }
    }

    /// Everything waiting (up to `maximum`), once there is something; nil once closed and empty.
    func prendre(maximum: Int) async -> [Envoi]? {
        while envois.isEmpty {
            if ferme { return nil }
            await withCheckedContinuation { preneurs.append($0) }
        }
        let lot = Array(envois.prefix(maximum))
        envois.removeFirst(lot.count)
        return lot
    }

    func fermer() {
        ferme = true
        for preneur in preneurs { preneur.resume() }
        preneurs.removeAll()
    }
}
