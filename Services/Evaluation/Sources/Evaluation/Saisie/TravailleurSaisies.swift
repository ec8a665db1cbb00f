import AMQP
import Foundation
import Logging
import Messaging
import Metrics
import ServiceLifecycle
import Storage

/// A worker: a competing consumer of the quorum work queue `evaluation.saisie`. Any number of
/// worker processes take batches from it (prefetch in the hundreds); each batch is handled in one
/// transaction (`TraitementSaisies`) and acked (one `multiple` ack) after commit.
///
/// At least once in, exactly once by effect: a batch redelivered after a crash (or a broker or
/// database restart) finds its commands in `commandes` and changes nothing. A database outage
/// holds the batch and retries with backoff (the connection's own thread keeps its heartbeats
/// going), never a hot requeue. An undecodable message goes to `evaluation.saisie.dlq` at once; a batch that fails
/// for a permanent reason is retried command by command to reject only the culprit.
final class TravailleurSaisies: Service, Sendable {
    private let consumer: AMQPConsumer
    private let traitement: TraitementSaisies
    private let logger: Logger
    private let traitees = Counter(label: "cyclades_evaluation_commandes_total")
    private let notes = Counter(label: "cyclades_evaluation_lignes_total")
    private let duree = Metrics.Timer(label: "cyclades_evaluation_lot_seconds")

    /// `attente`: how long a batch keeps filling after its last delivery. A batch costs a fixed
    /// ~10 statements whatever its size, so under load a few milliseconds of waiting turn many
    /// one-command transactions into one of hundreds (throughput), at that much latency.
    init(
        configuration: AMQPConfiguration, traitement: TraitementSaisies, prefetch: Int = 500,
        attente: Duration = .milliseconds(10), logger: Logger
    ) {
        var configuration = configuration
        configuration.connectionName += "-worker"
        consumer = AMQPConsumer(
            configuration: configuration, topology: CommandeSaisie.topology, queue: CommandeSaisie.queue,
            prefetch: prefetch, logger: logger, linger: attente)
        self.traitement = traitement
        self.logger = logger
    }

    func run() async throws {
        var stopping = false
        for try await batch in consumer.batches() {
            if !batch.isEmpty { try await traiter(batch) }
            if Task.isShuttingDownGracefully && !stopping {
                stopping = true
                await consumer.stop()
            }
            if Task.isCancelled { break }
        }
        await consumer.close()
    }

    private struct Permanente: Error { var raison: String }

    func traiter(_ batch: [AMQPDelivery]) async throws {
        var commandes: [(AMQPDelivery, CommandeSaisie)] = []
        let decoder = JSONDecoder()
        for delivery in batch {
            do {
                commandes.append((delivery, try decoder.decode(CommandeSaisie.self, from: Data(delivery.body))))
            } catch {
                logger.error("undecodable command rejected to the dead-letter queue",
                             metadata: ["message.id": "\(delivery.messageID ?? "?")", "error": "\(error)"])
                try await consumer.reject(delivery, requeue: false)
            }
        }
        guard let derniere = commandes.last?.0 else { return }
        do {
            try await ecrire(commandes.map(\.1))
            try await consumer.ack(derniere, multiple: true)
        } catch let erreur as Permanente where commandes.count > 1 {
            logger.warning("batch failed, isolating the culprit", metadata: ["error": "\(erreur.raison)"])
            for (delivery, commande) in commandes {
                do {
                    try await ecrire([commande])
                    try await consumer.ack(delivery)
                } catch let erreur as Permanente {
                    logger.error("command rejected to the dead-letter queue",
                                 metadata: ["commande": "\(commande.id)", "error": "\(erreur.raison)"])
                    try await consumer.reject(delivery, requeue: false)
                }
            }
        } catch let erreur as Permanente {
            logger.error("command rejected to the dead-letter queue", metadata: ["error": "\(erreur.raison)"])
            try await consumer.reject(commandes[0].0, requeue: false)
        }
    }

    /// One transaction; transient failures are retried with backoff for as long as it takes.
    private func ecrire(_ commandes: [CommandeSaisie]) async throws {
        // The same command twice in one batch (a redelivery beside the original): once is enough.
        var vues = Set<UUID>()
        let distinctes = commandes.filter { vues.insert($0.id).inserted }
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5))
        while true {
            let debut = ContinuousClock.now
            do {
                let resultats = try await traitement.database.transaction { connection in
                    try await traitement.traiter(distinctes, on: connection)
                }
                traitees.increment(by: resultats.count)
                notes.increment(by: distinctes.reduce(0) { $0 + $1.lignes.count })
                duree.record(duration: ContinuousClock.now - debut)
                return
            } catch let error where error.isTransientDatabaseFailure && !Task.isCancelled {
                logger.warning("database unavailable, holding the commands",
                               metadata: ["count": "\(distinctes.count)", "error": "\(String(reflecting: error))"])
                try await backoff.sleep()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw Permanente(raison: String(reflecting: error))
            }
        }
    }
}
