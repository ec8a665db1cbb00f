import Contracts
import Foundation

/// The reconciliation before any release: every result against the PV its jury signed. Pure: the
/// repository loads the session, this says what differs. Any difference blocks the release of
/// anything new, and is listed to the gestionnaire, naming the candidate and the jury.
enum Rapprochement {
    /// A result as Publication received it.
    struct Resultat: Sendable {
        var candidature: UUID
        var numero: String
        var jury: String
        var decision: String
        var revision: Int
        var notes: String
    }

    /// The latest signed PV of a jury.
    struct ProcesVerbal: Sendable {
        var jury: String
        var version: Int
        var candidats: Int
        var admis: Int
        var lignes: [JuryClos.Arrete]
    }

    struct Ecart: Codable, Sendable, Equatable {
        /// `pv.compte`, `pv.admis`, `resultat.absent`, `resultat.sans_pv`, `resultat.hors_pv`,
        /// `resultat.revision`, `resultat.decision`, `resultat.notes`, `candidat.sans_resultat`.
        var code: String
        var jury: String?
        var numero: String?
        var message: String
    }

    /// `sansResultat`: numéros of the session's candidatures (not cancelled) that no jury arrêted.
    static func ecarts(resultats: [Resultat], proces: [ProcesVerbal], sansResultat: [String]) -> [Ecart] {
        var ecarts: [Ecart] = []
        let parCandidature = Dictionary(resultats.map { ($0.candidature, $0) }, uniquingKeysWith: { a, _ in a })
        let parJury = Dictionary(proces.map { ($0.jury, $0) }, uniquingKeysWith: { a, _ in a })
        let signes = parJury.mapValues { Set($0.lignes.map(\.candidature)) }

        for pv in proces.sorted(by: { $0.jury < $1.jury }) {
            let libelle = "PV du jury \(pv.jury) (version \(pv.version))"
            if pv.lignes.count != pv.candidats {
                ecarts.append(.init(code: "pv.compte", jury: pv.jury, numero: nil,
                                    message: "Le \(libelle) annonce \(pv.candidats) candidat(s) mais en signe \(pv.lignes.count)."))
            }
            let admis = pv.lignes.filter { $0.decision == "admis" }.count
            if admis != pv.admis {
                ecarts.append(.init(code: "pv.admis", jury: pv.jury, numero: nil,
                                    message: "Le \(libelle) annonce \(pv.admis) admis mais en signe \(admis)."))
            }
            for ligne in pv.lignes.sorted(by: { $0.numero < $1.numero }) {
                guard let resultat = parCandidature[ligne.candidature] else {
                    ecarts.append(.init(code: "resultat.absent", jury: pv.jury, numero: ligne.numero,
                                        message: "Le \(libelle) signe le candidat \(ligne.numero), dont aucun résultat n'a été reçu."))
                    continue
                }
                if resultat.jury != pv.jury {
                    ecarts.append(.init(code: "resultat.hors_pv", jury: pv.jury, numero: ligne.numero,
                                        message: "Le candidat \(ligne.numero) est signé au \(libelle) mais son résultat vient du jury \(resultat.jury)."))
                } else if resultat.revision != ligne.revision {
                    ecarts.append(.init(code: "resultat.revision", jury: pv.jury, numero: ligne.numero,
                                        message: "Le résultat du candidat \(ligne.numero) est en révision \(resultat.revision), le \(libelle) signe la révision \(ligne.revision)."))
                } else if resultat.decision != ligne.decision {
                    ecarts.append(.init(code: "resultat.decision", jury: pv.jury, numero: ligne.numero,
                                        message: "Décision différente pour le candidat \(ligne.numero) : « \(resultat.decision) » reçue, « \(ligne.decision) » signée au \(libelle)."))
                } else if resultat.notes != ligne.notes {
                    ecarts.append(.init(code: "resultat.notes", jury: pv.jury, numero: ligne.numero,
                                        message: "Notes différentes pour le candidat \(ligne.numero) entre son résultat et le \(libelle) (reçu : \(resultat.notes) ; signé : \(ligne.notes))."))
                }
            }
        }

        for resultat in resultats.sorted(by: { ($0.jury, $0.numero) < ($1.jury, $1.numero) }) {
            guard let pv = parJury[resultat.jury] else {
                ecarts.append(.init(code: "resultat.sans_pv", jury: resultat.jury, numero: resultat.numero,
                                    message: "Le résultat du candidat \(resultat.numero) vient du jury \(resultat.jury), dont aucun PV signé n'a été reçu."))
                continue
            }
            if signes[resultat.jury]?.contains(resultat.candidature) != true {
                ecarts.append(.init(code: "resultat.hors_pv", jury: resultat.jury, numero: resultat.numero,
                                    message: "Le résultat du candidat \(resultat.numero) n'est pas signé au PV du jury \(resultat.jury) (version \(pv.version))."))
            }
        }

        for numero in sansResultat.sorted() {
            ecarts.append(.init(code: "candidat.sans_resultat", jury: nil, numero: numero,
                                message: "Le candidat \(numero) est inscrit mais aucun jury n'a arrêté son résultat."))
        }
        return ecarts
    }
}
