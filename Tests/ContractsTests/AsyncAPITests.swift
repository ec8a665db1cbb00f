import Foundation
import Testing
import TestSupport

/// `Shared/Contracts/asyncapi.yaml` against the contracts and their golden JSON: the document is
/// well formed, every golden envelope is valid against its message's schema, every contract is
/// described (with its version) and has a golden file, and the schemas do reject an envelope that
/// differs from its contract. Python's jsonschema (draft 2020-12, which `deploy/local/test`
/// installs with openapi-spec-validator) does the checking; there is no AsyncAPI validator for
/// Python, so the script checks the parts of AsyncAPI 3.0 the document uses.
@Suite("The AsyncAPI document describes every message as the golden JSON has it")
struct AsyncAPITests {
    static let racine = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let document = racine.appendingPathComponent("Shared/Contracts/asyncapi.yaml").path
    static let golden = racine.appendingPathComponent("Tests/ContractsTests/Golden").path

    /// The golden files' message types, read from the directory.
    static func typesGolden() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: golden).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Runs the script in `mode` over the document, a golden directory and the repository;
    /// returns its exit status and output (`OK …`, `REJECTED …`, `PROBLEM …` lines).
    static func script(_ mode: String, golden: String = golden) async throws -> (Int32, String) {
        try await Python.executer(["-c", verification, mode, document, golden, racine.path])
    }

    @Test("the document is a well-formed AsyncAPI 3.0 document: every $ref resolves, every schema is valid")
    func documentBienForme() async throws {
        let (status, sortie) = try await Self.script("document")
        #expect(status == 0, "\(sortie)")
        #expect(sortie.contains("OK refs") && sortie.contains("OK document 3 channels"), "\(sortie)")
    }

    @Test("every golden envelope is valid against its message's schema")
    func goldenValides() async throws {
        let (status, sortie) = try await Self.script("golden")
        #expect(status == 0, "\(sortie)")
        let types = try Self.typesGolden()
        #expect(types.count >= 27)
        for type in types {
            #expect(sortie.contains("OK \(type)\n"), "\(type): \(sortie)")
        }
    }

    @Test("every contract is described with its version and has a golden file; every message described is a contract")
    func couverture() async throws {
        let (status, sortie) = try await Self.script("coverage")
        #expect(status == 0, "\(sortie)")
        for type in try Self.typesGolden() {
            #expect(sortie.contains("OK \(type) v"), "\(type): \(sortie)")
        }
    }

    @Test("the schemas reject every golden envelope altered: unknown property, other type or version, instant, missing field")
    func rejets() async throws {
        let (status, sortie) = try await Self.script("negative")
        #expect(status == 0, "\(sortie)")
        for type in try Self.typesGolden() {
            #expect(sortie.contains("REJECTED \(type)\n"), "\(type): \(sortie)")
        }
    }

    /// The test itself can fail: a golden file the document does not accept makes the script exit
    /// with a failure that names it.
    @Test("a golden envelope with a property the contract does not have fails the check")
    func echecVisible() async throws {
        let dossier = FileManager.default.temporaryDirectory.appendingPathComponent("asyncapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dossier, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dossier) }
        let source = URL(fileURLWithPath: Self.golden).appendingPathComponent("publication.resultat.publie.json")
        var enveloppe = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: source)) as? [String: Any])
        var payload = try #require(enveloppe["payload"] as? [String: Any])
        payload["moyenne"] = "12.50"  // grades are never published
        enveloppe["payload"] = payload
        try JSONSerialization.data(withJSONObject: enveloppe).write(to: dossier.appendingPathComponent("publication.resultat.publie.json"))
        let (status, sortie) = try await Self.script("golden", golden: dossier.path)
        #expect(status != 0, "\(sortie)")
        #expect(sortie.contains("PROBLEM publication.resultat.publie"), "\(sortie)")
        #expect(sortie.contains("moyenne"), "\(sortie)")
    }

    /// The checks, in Python (arguments: mode, document, golden directory, repository root).
    static let verification = #"""
        import json, os, re, sys, yaml, jsonschema, referencing
        from referencing.jsonschema import DRAFT202012

        mode, document, golden_dir, root = sys.argv[1:5]
        doc = yaml.safe_load(open(document, encoding="utf-8"))
        base = "file://" + os.path.abspath(document)
        registry = referencing.Registry().with_resource(base, referencing.Resource.from_contents(doc, default_specification=DRAFT202012))
        problems = []

        def pointer(ref):
            assert ref.startswith("#/"), ref + ": only references inside the document"
            node = doc
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if isinstance(node, dict) and part in node:
                    node = node[part]
                elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                    node = node[int(part)]
                else:
                    raise KeyError(ref)
            return node

        def deref(node):
            while isinstance(node, dict) and set(node) == {"$ref"}:
                node = pointer(node["$ref"])
            return node

        def refs(node, path="#"):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "$ref" and isinstance(value, str):
                        yield path, value
                    else:
                        yield from refs(value, path + "/" + key)
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    yield from refs(value, path + "/" + str(index))

        messages = doc.get("components", {}).get("messages", {})
        by_name = {m["name"]: key for key, m in messages.items()}

        def payload_validator(name):
            return jsonschema.Draft202012Validator(
                {"$ref": base + "#/components/messages/" + by_name[name] + "/payload"}, registry=registry)

        def envelope_const(name, field):
            envelope = deref(messages[by_name[name]]["payload"])
            for part in envelope.get("allOf", []):
                part = deref(part)
                value = part.get("properties", {}).get(field, {})
                if "const" in value:
                    return value["const"]
            return None

        KEYWORDS = set("""$schema $id $ref $anchor $dynamicRef $dynamicAnchor $defs $comment definitions type enum const multipleOf
            maximum exclusiveMaximum minimum exclusiveMinimum maxLength minLength pattern maxItems minItems uniqueItems maxContains
            minContains maxProperties minProperties required dependentRequired dependencies properties patternProperties
            additionalProperties propertyNames items prefixItems additionalItems contains unevaluatedItems unevaluatedProperties
            allOf anyOf oneOf not if then else dependentSchemas format contentEncoding contentMediaType contentSchema title
            description default deprecated readOnly writeOnly examples discriminator externalDocs""".split())
        ONE = "items additionalProperties propertyNames not contains if then else unevaluatedItems unevaluatedProperties additionalItems contentSchema".split()
        MANY = "allOf anyOf oneOf prefixItems".split()
        MAP = "properties patternProperties $defs definitions dependentSchemas".split()

        def walk_schema(schema, path, in_all_of=False):
            if isinstance(schema, bool):
                return
            if not isinstance(schema, dict):
                problems.append(path + ": not a schema")
                return
            for key in schema:
                if key not in KEYWORDS and not key.startswith("x-"):
                    problems.append(path + ": unknown keyword " + repr(key))
            if "properties" in schema and not in_all_of and schema.get("additionalProperties") is not False:
                problems.append(path + ": an object with properties must say additionalProperties: false")
            for key in ONE:
                if isinstance(schema.get(key), (dict, bool)):
                    walk_schema(schema[key], path + "/" + key)
            for key in MANY:
                for index, sub in enumerate(schema.get(key, [])):
                    walk_schema(sub, path + "/" + key + "/" + str(index), in_all_of=(key == "allOf"))
            for key in MAP:
                for name, sub in (schema.get(key) or {}).items():
                    walk_schema(sub, path + "/" + key + "/" + name)

        if mode == "document":
            # The AsyncAPI 3 document's structure (no AsyncAPI validator in Python: the parts we use).
            assert str(doc.get("asyncapi", "")).startswith("3.0"), "not an AsyncAPI 3.0 document"
            allowed = {"asyncapi", "id", "info", "servers", "defaultContentType", "channels", "operations", "components"}
            problems += ["unknown top-level field " + k for k in doc if k not in allowed]
            if not (doc.get("info", {}).get("title") and doc.get("info", {}).get("version")):
                problems.append("info needs a title and a version")
            count = 0
            for path, ref in refs(doc):
                count += 1
                try:
                    pointer(ref)
                except Exception:
                    problems.append(path + ": $ref " + ref + " does not resolve")
            print("OK refs", count)
            channels = doc.get("channels", {})
            in_channels = {}
            for cid, channel in channels.items():
                address = channel.get("address")
                if not isinstance(address, str):
                    problems.append("channel " + cid + ": no address")
                    continue
                named = set(re.findall(r"\{([^}]+)\}", address))
                if named != set(channel.get("parameters", {})):
                    problems.append("channel " + cid + ": the address's parameters are not the ones described")
                for key, message in channel.get("messages", {}).items():
                    ref = message.get("$ref", "")
                    if not ref.startswith("#/components/messages/"):
                        problems.append("channel " + cid + ": message " + key + " is not a component message")
                        continue
                    component = ref.split("/")[-1]
                    if component in in_channels:
                        problems.append(component + ": in two channels, " + in_channels[component] + " and " + cid)
                    in_channels[component] = cid
            sent = set()
            for oid, operation in doc.get("operations", {}).items():
                if operation.get("action") not in ("send", "receive"):
                    problems.append("operation " + oid + ": action must be send or receive")
                cref = operation.get("channel", {}).get("$ref", "")
                if not cref.startswith("#/channels/") or cref.split("/")[-1] not in channels:
                    problems.append("operation " + oid + ": no channel")
                    continue
                cid = cref.split("/")[-1]
                if not operation.get("messages"):
                    problems.append("operation " + oid + ": no message")
                for message in operation.get("messages", []):
                    mref = message.get("$ref", "")
                    if not mref.startswith(cref + "/messages/"):
                        problems.append("operation " + oid + ": " + mref + " is not a message of its channel " + cid)
                    else:
                        try:
                            sent.add(deref(message).get("name"))
                        except KeyError:
                            pass  # reported with the $refs above
            if not messages:
                problems.append("no message described")
            if len(by_name) != len(messages):
                problems.append("two messages share a name")
            for key, message in messages.items():
                if key not in in_channels:
                    problems.append(key + ": in no channel")
                if message.get("name") not in sent:
                    problems.append(key + ": no operation sends it")
                if "payload" not in message:
                    problems.append(key + ": no payload")
            for name, schema in doc.get("components", {}).get("schemas", {}).items():
                try:
                    jsonschema.Draft202012Validator.check_schema(schema)
                except jsonschema.exceptions.SchemaError as error:
                    problems.append("schema " + name + ": " + error.message)
                walk_schema(schema, "#/components/schemas/" + name)
            for key, message in messages.items():
                walk_schema(message["payload"], "#/components/messages/" + key + "/payload")
                for field in ("type", "version"):
                    if envelope_const(message["name"], field) is None:
                        problems.append(key + ": its envelope schema has no const " + field)
                if envelope_const(message["name"], "type") not in (None, message["name"]):
                    problems.append(key + ": its envelope's const type is not its name")
            print("OK document", len(channels), "channels", len(doc.get("operations", {})), "operations", len(messages), "messages")

        elif mode == "golden":
            # Every golden envelope against its message's schema.
            for file in sorted(os.listdir(golden_dir)):
                name = file[:-len(".json")]
                if name not in by_name:
                    problems.append(file + ": no message " + name + " in the document")
                    continue
                errors = list(payload_validator(name).iter_errors(json.load(open(os.path.join(golden_dir, file), encoding="utf-8"))))
                if errors:
                    problems.append(name + ": " + "; ".join("/".join(map(str, e.absolute_path)) + ": " + e.message for e in errors))
                else:
                    print("OK", name)

        elif mode == "coverage":
            # Every contract (a MessageContract with its type) is described, with its version, and has a
            # golden file; every message described is a contract.
            contracts = {}
            for top in ("Shared/Contracts", "Services"):
                for directory, _, files in os.walk(os.path.join(root, top)):
                    for file in files:
                        if not file.endswith(".swift"):
                            continue
                        text = open(os.path.join(directory, file), encoding="utf-8").read()
                        if "MessageContract" not in text:
                            continue
                        types = re.findall(r'static let type = "([^"]+)"', text)
                        versions = re.findall(r"static let version = ([0-9]+)", text)
                        if len(types) != 1 or len(versions) != 1:
                            problems.append(file + ": expected one contract (type and version), found " + str(types))
                            continue
                        contracts[types[0]] = (int(versions[0]), os.path.relpath(os.path.join(directory, file), root))
            goldens = {f[:-len(".json")] for f in os.listdir(golden_dir) if f.endswith(".json")}
            for name, (version, path) in sorted(contracts.items()):
                if name not in by_name:
                    problems.append(name + " (" + path + "): not described in the AsyncAPI document")
                elif envelope_const(name, "version") != version:
                    problems.append(name + ": version " + str(version) + " in Swift, " + str(envelope_const(name, "version")) + " in the document")
                if name not in goldens:
                    problems.append(name + ": no golden file")
                if name in by_name and name in goldens:
                    print("OK", name, "v" + str(version))
            problems += [name + ": described but no contract has this type" for name in by_name if name not in contracts]
            problems += [name + ".json: a golden file of no contract" for name in goldens if name not in contracts]

        elif mode == "negative":
            # The schemas are not a rubber stamp: each golden envelope, altered, is rejected.
            def altered(envelope):
                extra = json.loads(json.dumps(envelope)); extra["payload"]["champInconnu"] = 1
                yield "an unknown payload property", extra
                extra = json.loads(json.dumps(envelope)); extra["enPlus"] = True
                yield "an unknown envelope property", extra
                other = json.loads(json.dumps(envelope)); other["type"] = "autre.message"
                yield "another type", other
                other = json.loads(json.dumps(envelope)); other["version"] = envelope["version"] + 1
                yield "another version", other
                other = json.loads(json.dumps(envelope)); other["occurredAt"] = envelope["occurredAt"].replace(".000Z", "Z")
                yield "an instant without milliseconds", other
                other = json.loads(json.dumps(envelope)); other["payload"] = {k: v for k, v in envelope["payload"].items() if k != "session"}
                if other["payload"] != envelope["payload"]:
                    yield "no session", other
            for file in sorted(os.listdir(golden_dir)):
                name = file[:-len(".json")]
                if name not in by_name:
                    continue
                envelope = json.load(open(os.path.join(golden_dir, file), encoding="utf-8"))
                validator = payload_validator(name)
                if not validator.is_valid(envelope):
                    problems.append(name + ": the golden file itself is rejected")
                    continue
                for what, variant in altered(envelope):
                    if validator.is_valid(variant):
                        problems.append(name + ": accepted with " + what)
                print("REJECTED", name)

        else:
            problems.append("unknown mode " + mode)

        for problem in problems:
            print("PROBLEM", problem)
        sys.exit(1 if problems else 0)
        """#
}
