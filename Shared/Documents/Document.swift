/// A document for people (convocation, relevé de notes, procès-verbal, confirmation…), described
/// as a sequence of blocks; ``PDFRenderer`` lays it out on A4 pages.
///
/// Every page carries the ``reference`` (top right) and the ``footer`` with "Page X / Y", counted
/// per document; the ``logo``, the ``issuer`` lines and the ``title`` open the first page.
public struct Document: Sendable {
    /// The document's name, e.g. "Confirmation d'inscription". Also the PDF's metadata title when
    /// it is the first document of a render.
    public var title: String
    /// Header lines, top left of the first page, e.g. ["Académie de Paris", "Division des examens
    /// et concours"]. The first line is set in bold.
    public var issuer: [String]
    /// The académie's logo, top left of the first page, ``Document/logoHeight`` points high (its
    /// width follows the image's ratio, at most its ``DocumentImage/width`` and half the page's
    /// content width, the height shrinking with it). The issuer lines sit at its right when they
    /// fit there unwrapped and the logo is at most a quarter of the content width wide, below it
    /// otherwise. Its alignment and caption are not used. PNG only (see ``DocumentImage``).
    public var logo: DocumentImage?
    /// Small text at the top right of every page, e.g. "Candidature n° 00012345 — version 2".
    public var reference: String?
    /// The body, laid out from top to bottom.
    public var blocks: [Block]
    /// Small text at the bottom of every page; "Page X / Y" is added at its right in any case.
    public var footer: String?

    public init(
        title: String,
        issuer: [String] = [],
        logo: DocumentImage? = nil,
        reference: String? = nil,
        blocks: [Block] = [],
        footer: String? = nil
    ) {
        self.title = title
        self.issuer = issuer
        self.logo = logo
        self.reference = reference
        self.blocks = blocks
        self.footer = footer
    }

    /// The height of a document's ``logo``, in points.
    public static let logoHeight = 50.0
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
    ///
    /// With an `image` (the signature's scan, PNG), the box holds the image at its top — at its
    /// ``DocumentImage/width`` at most the box's inner width, placed by its alignment within the
    /// box, 150 pt high at most — then the lines below it, and no blank room; the image's caption
    /// is not used.
    case signature([String], image: DocumentImage? = nil)
    /// An image (PNG) in the flow, at its ``DocumentImage/width`` (at most the content width;
    /// smaller when it is taller than a page), placed by its alignment, with its caption below.
    /// Moved to the next page when it does not fit below what precedes; never split.
    case image(DocumentImage)
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

/// An image to draw: the bytes of a PNG file, and where and how large to draw it.
///
/// Only PNG is drawn (cairo's own PNG reader): convert JPEG or SVG resources to PNG first. The
/// render refuses, with a ``DocumentError``, a file larger than ``maximumBytes``, an image wider
/// or taller than ``maximumPixels`` pixels, anything that is not a valid PNG, and a width that is
/// not a positive finite number. The image is embedded at its own pixel size (compressed
/// losslessly) and scaled on the page; the same bytes used several times in one render (a logo on
/// every document of the file) are read once.
public struct DocumentImage: Sendable {
    /// The PNG file's bytes.
    public var png: [UInt8]
    /// Width on the page, in points (72 a inch); the height follows the image's ratio.
    public var width: Double
    /// Where the image sits across the page (or the signature box); its caption follows it.
    public var alignment: Alignment
    /// A line of small text below the image, e.g. "Cachet de l'établissement".
    public var caption: String?

    public init(png: [UInt8], width: Double = 150, alignment: Alignment = .center, caption: String? = nil) {
        self.png = png
        self.width = width
        self.alignment = alignment
        self.caption = caption
    }

    /// The largest PNG file accepted: 4 Mio.
    public static let maximumBytes = 4 << 20
    /// The largest width and height accepted, in pixels.
    public static let maximumPixels = 4096
}

/// Horizontal alignment of a table column's text, or of an image.
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
