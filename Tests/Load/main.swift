import Foundation
import Logging

// cyclades-load: the Swift AMQP wrapper against a minimal rabbitmq-c program doing the same work
// (publish with pipelined confirms, consume with prefetch and batched acks), then the outbox end
// to end (commit → handled by a consumer in another process). Prints one markdown report on
// stdout; progress goes to stderr. Run through Tests/Load/run, which builds everything and
// brings up the `bench` stack. `cyclades-load --help` lists the options.

LoggingSystem.bootstrap(StreamLogHandler.standardError)

// `cyclades-load inscription …`: registration through the gateway (Tests/Load/run-inscription).
if CommandLine.arguments.dropFirst().first == "inscription" {
    do {
        try await InscriptionLoad.run(Array(CommandLine.arguments.dropFirst(2)))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("cyclades-load inscription: \(error)\n".utf8))
        exit(1)
    }
}

// `cyclades-load evaluation …`: grade entry through the gateway (Tests/Load/run-evaluation).
if CommandLine.arguments.dropFirst().first == "evaluation" {
    do {
        try await EvaluationLoad.run(Array(CommandLine.arguments.dropFirst(2)))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("cyclades-load evaluation: \(error)\n".utf8))
        exit(1)
    }
}

// `cyclades-load organisation …`: the automatic assignment of a whole session (OrganisationLoad.swift).
if CommandLine.arguments.dropFirst().first == "organisation" {
    do {
        try await OrganisationLoad.run(Array(CommandLine.arguments.dropFirst(2)))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("cyclades-load organisation: \(error)\n".utf8))
        exit(1)
    }
}

// `cyclades-load deliberation-bout-en-bout …`: a session's deliberation, events in to results out.
if CommandLine.arguments.dropFirst().first == "deliberation-bout-en-bout" {
    do {
        try await DeliberationBoutEnBout.run(Array(CommandLine.arguments.dropFirst(2)))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("cyclades-load deliberation-bout-en-bout: \(String(reflecting: error))\n".utf8))
        exit(1)
    }
}

// `cyclades-load publication …`: results day, its release and its lookups (Tests/Load/run-publication).
if CommandLine.arguments.dropFirst().first == "publication" {
    do {
        try await PublicationLoad.run(Array(CommandLine.arguments.dropFirst(2)))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("cyclades-load publication: \(String(reflecting: error))\n".utf8))
        exit(1)
    }
}

// `cyclades-load deliberation …`: the pure award engine's throughput (DeliberationLoad.swift), no stack.
if CommandLine.arguments.dropFirst().first == "deliberation" {
    do {
        try DeliberationLoad.run(Array(CommandLine.arguments.dropFirst(2)))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("cyclades-load deliberation: \(error)\n".utf8))
        exit(1)
    }
}

let options: Options
do {
    options = try Options.parse(CommandLine.arguments)
} catch {
    FileHandle.standardError.write(Data("cyclades-load: \(error)\n\n\(Options.usage)\n".utf8))
    exit(2)
}

do {
    try await Benchmark(options: options).run()
} catch {
    FileHandle.standardError.write(Data("cyclades-load: \(error)\n".utf8))
    exit(1)
}
