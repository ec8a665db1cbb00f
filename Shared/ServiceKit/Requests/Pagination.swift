import Hummingbird

/// `page` (1…`pageMaximale`) and `taille` (1…200, default 50) of a list request.
public struct Pagination: Sendable {
    public var page: Int
    public var taille: Int
    /// `(page - 1) * taille`, overflow-checked: a page built in code past the bounds gives the
    /// largest offset instead of trapping the process.
    public var offset: Int {
        let (produit, deborde) = (max(page, 1) - 1).multipliedReportingOverflow(by: max(taille, 0))
        return deborde ? Int.max : produit
    }

    public static let tailleMaximale = 200
    /// Far beyond any list, and low enough that no offset or `page * taille` can overflow.
    public static let pageMaximale = 1_000_000

    public init(page: Int = 1, taille: Int = 50) {
        self.page = page
        self.taille = taille
    }

    public init(_ request: Request) throws(ServiceError) {
        var verification = Verification()
        self.init(request, &verification)
        try verification.verifier()
    }

    /// Reads `page` and `taille`, recording their errors with the request's other ones.
    public init(_ request: Request, _ verification: inout Verification) {
        let query = request.uri.queryParameters
        page = 1
        taille = 50
        if let texte = query.get("page") {
            if let valeur = Int(texte), (1...Self.pageMaximale).contains(valeur) { page = valeur } else {
                verification.erreur("page", "pagination.page", "Le numéro de page doit être un entier entre 1 et \(Self.pageMaximale) (reçu « \(Self.extrait(texte)) »).")
            }
        }
        if let texte = query.get("taille") {
            if let valeur = Int(texte), (1...Self.tailleMaximale).contains(valeur) { taille = valeur } else {
                verification.erreur("taille", "pagination.taille", "La taille de page doit être un entier entre 1 et \(Self.tailleMaximale) (reçu « \(Self.extrait(texte)) »).")
            }
        }
    }

    /// What the request sent, cut short so that an error never echoes a huge parameter.
    static func extrait(_ texte: String) -> String {
        texte.count > 40 ? String(texte.prefix(40)) + "…" : texte
    }
}

/// A page of a list: its items, how many there are in all, and which page this is.
public struct Page<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    public var items: [Item]
    public var total: Int
    public var page: Int
    public var taille: Int

    public init(items: [Item], total: Int, pagination: Pagination) {
        self.items = items
        self.total = total
        page = pagination.page
        taille = pagination.taille
    }
}

/// A short, unpaged list: `{"items": […]}`.
public struct Liste<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    public var items: [Item]
    public init(items: [Item]) { self.items = items }
}
