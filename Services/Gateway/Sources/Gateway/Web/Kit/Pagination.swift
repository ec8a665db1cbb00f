import Hummingbird

/// Links to the previous and next pages of a list.
struct Pagination {
    var page: Int
    var pages: Int
    var precedente: String?
    var suivante: String?

    /// The highest page number a request may ask: far beyond any list, and low enough that
    /// `page * taille` (or an offset) of any page size never overflows.
    static let pageMaximale = 1_000_000

    /// The `page` of the query, from 1 to `pageMaximale` (1 when absent or not a number).
    static func numero(_ request: Request) -> Int {
        min(max(1, request.uri.queryParameters.get("page", as: Int.self) ?? 1), pageMaximale)
    }

    /// `base` ends with `?` or `&`; `total` nil when unknown (then `hasMore` says if there is more).
    init(page: Int, taille: Int, total: Int?, hasMore: Bool = false, base: String) {
        self.page = page
        pages = total.map { max(1, ($0 + taille - 1) / taille) } ?? 0
        precedente = page > 1 ? "\(base)page=\(page - 1)" : nil
        let more = total.map { page * taille < $0 } ?? hasMore
        suivante = more ? "\(base)page=\(page + 1)" : nil
    }
}
