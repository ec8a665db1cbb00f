/// A document for people (convocation, relevé de notes, procès-verbal, confirmation…), described
/// as a sequence of blocks; ``PDFRenderer`` lays it out on A4 pages.
///
/// Every page carries the ``reference`` (top right) and the ``footer`` with "Page X / Y", counted
/// per document; the ``issuer`` lines and the ``title`` open the first page.
public struct Document: Sendable {
    /// The document's name, e.g. "Confirmation d'inscription". Also the PDF's metadata title when
    /// it is the first document of a render.
    public var title: String
    /// Header lines, top left of the first page, e.g. ["Académie de Paris", "Division des examens
    /// et concours"]. The first line is set in bold.
    public var issuer: [String]
    /// Small text at the top right of every page, e.g. "Candidature n° 00012345 — version 2".
    public var reference: String?
    /// The body, laid out from top to bottom.
    public var blocks: [Block]
    /// Small text at the bottom of every page; "Page X / Y" is added at its right in any case.
    public var footer: String?

    public init(
        title: String,
        issuer: [String] = [],
        reference: String? = nil,
        blocks: [Block] = [],
        footer: String? = nil
    ) {
        self.title = title
        self.issuer = issuer
        self.reference = reference
        self.blocks = blocks
        self.footer = footer
    }
}

/// One piece of a document's body.
public enum Block: Sendable {
    /// A section title, kept with what follows it.
    case heading(String)
    /// Running text, wrapped to the page width; a long paragraph continues on the next page.
    /// "\n" starts a new line.
    case paragraph(String)
    /// "label : value" pairs as a two-column grid; a pair is never split across pages.
    case fields([Field])
    /// A table whose header row is repeated on every page it spans; rows are never split.
    case table(Table)
    /// A box at the right with the given lines at its top and room to sign below them, e.g.
    /// ["Fait le 29/11/2026", "Signature du candidat"]. Never split across pages.
    case signature([String])
    /// Vertical space, in points; it does not carry over to the next page.
    case spacer(Double)
    /// Continue on a new page (ignored at the top of a page).
    case pageBreak
}

/// A "label : value" pair of a ``Block/fields(_:)`` grid.
public struct Field: Sendable {
    public var label: String
    public var value: String

    public init(label: String, value: String) {
        self.label = label
        self.value = value
    }

    public init(_ label: String, _ value: String) {
        self.init(label: label, value: value)
    }
}

/// A table of text cells: the columns share the page width by weight, cells wrap.
public struct Table: Sendable {
    public struct Column: Sendable {
        public var title: String
        /// A relative weight: the columns share the page width in proportion to their weights.
        public var width: Double
        public var alignment: Alignment

        public init(_ title: String, width: Double = 1, alignment: Alignment = .leading) {
            self.title = title
            self.width = width
            self.alignment = alignment
        }
    }

    public var columns: [Column]
    /// One array of cell texts per row, in column order; missing cells are empty, extra ones ignored.
    public var rows: [[String]]
    /// The least height of a body row, in points, e.g. 28 for the signature boxes of an émargement
    /// list. A row is as tall as its tallest cell otherwise.
    public var minimumRowHeight: Double

    public init(columns: [Column], rows: [[String]], minimumRowHeight: Double = 0) {
        self.columns = columns
        self.rows = rows
        self.minimumRowHeight = minimumRowHeight
    }
}

/// Horizontal alignment of a table column's text.
public enum Alignment: Sendable {
    case leading, center, trailing
}

/// Sheets of labels (table labels, copy labels): A4 pages of `columns` × `rows` labels, filled row
/// by row, with dashed cut borders. Each label is a few centred lines, the first one in bold; the
/// text shrinks (down to 5 pt) to fit its label.
public struct LabelSheet: Sendable {
    public var columns: Int
    public var rows: Int
    public var labels: [[String]]

    public init(columns: Int, rows: Int, labels: [[String]]) {
        self.columns = columns
        self.rows = rows
        self.labels = labels
    }
}

/// Why a PDF could not be produced: a cairo error, or a request that cannot be laid out.
public struct DocumentError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
